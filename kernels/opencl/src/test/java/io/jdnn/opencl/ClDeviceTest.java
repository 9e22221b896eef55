package io.jdnn.opencl;

import io.jdnn.Device;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the tests that compare the OpenCL device under test with the reference: both are opened
 * once per class ({@link ClTestSupport#openOpenCl()} skips, or fails where OpenCL is required) and
 * closed after its last test. A subclass's own {@code @BeforeAll} runs after, its {@code @AfterAll}
 * before these.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClDeviceTest {
    /** The OpenCL device under test. */
    protected Device cl;
    /** The float64 reference the results are compared with. */
    protected Device ref;

    @BeforeAll
    void openDevices() {
        cl = ClTestSupport.openOpenCl();
        ref = ClTestSupport.openReference();
    }

    @AfterAll
    void closeDevices() {
        if (cl != null) {
            cl.close();
        }
        if (ref != null) {
            ref.close();
        }
    }
}
