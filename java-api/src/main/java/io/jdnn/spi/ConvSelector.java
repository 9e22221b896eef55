package io.jdnn.spi;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;

import java.util.List;

/**
 * How one backend family measures which of several convolution algorithms is fastest: the part
 * of {@link ConvAlgorithm#AUTO} that differs between families (device timers on the GPU backends,
 * a fixed rule and wall-clock timing on the cpu backend). The rest of AUTO is the API's and the
 * same everywhere: which algorithms are candidates (applicable, deterministic when the device was
 * opened so, TF32 or BF16 only when allowed, within the caller's error bound), remembering the
 * choice per problem, and what happens when nothing can run. A selector never sees AUTO.
 */
@FunctionalInterface
public interface ConvSelector {

    /**
     * The fastest of {@code candidates} for {@code direction} of {@code conv}.
     *
     * @param candidates two or more algorithms, each able to run the problem, in the backend's
     *                   preferred order
     * @return one of {@code candidates}
     * @throws io.jdnn.DeviceOutOfMemoryException when the temporaries of a measurement do not fit:
     *         the first candidate then runs, and the choice is not remembered
     */
    ConvAlgorithm fastest(DirectConv conv, ConvDirection direction, List<ConvAlgorithm> candidates);
}
