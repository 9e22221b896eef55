package io.jdnn;

/** An allocation larger than the device can hold. The device stays usable. */
public class DeviceOutOfMemoryException extends JdnnException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which should say how much was asked for and how much the device holds. */
    public DeviceOutOfMemoryException(String message) {
        super(message);
    }

    /** As {@link #DeviceOutOfMemoryException(String)}, with the native exception that reported it. */
    public DeviceOutOfMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
