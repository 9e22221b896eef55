package io.jdnn.spi;

/** A running measurement of device time, from {@link DeviceBackend#startTimer()}. */
@FunctionalInterface
public interface DeviceTimer {
    /** Waits for the measured work to finish and returns its device time in milliseconds. */
    double stop();
}
