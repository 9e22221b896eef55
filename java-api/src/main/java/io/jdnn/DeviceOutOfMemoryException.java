package io.jdnn;

/** An allocation larger than the device can hold. The device stays usable. */
public class DeviceOutOfMemoryException extends JdnnException {
    private static final long serialVersionUID = 1L;

    public DeviceOutOfMemoryException(String message) {
        super(message);
    }

    public DeviceOutOfMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
