package io.jdnn;

import io.jdnn.spi.DeviceBackend;

/**
 * What each op family of a {@link Device} is built on: the device's shared machinery (its lock and
 * argument checks, {@link DeviceCore}) and its backend, which the family calls once the arguments
 * are valid.
 */
abstract class OpFamily {
    final DeviceCore core;
    final DeviceBackend impl;

    OpFamily(DeviceCore core) {
        this.core = core;
        this.impl = core.impl();
    }
}
