/**
 * jdnn's public API: {@link io.jdnn.Device}, {@link io.jdnn.Tensor}, the problem records, the
 * optimizer rules ({@code io.jdnn.optim}), the layer toolkit ({@code io.jdnn.nn}) and the backend
 * SPI ({@code io.jdnn.spi}). Backends (jdnn-cpu, jdnn-opencl, jdnn-cuda) are found at run time
 * through {@link java.util.ServiceLoader}, on the class path or the module path.
 */
module io.jdnn {
    exports io.jdnn;
    exports io.jdnn.nn;
    exports io.jdnn.optim;
    exports io.jdnn.spi;

    uses io.jdnn.spi.Backend;
}
