/**
 * Three training examples on data generated in the process: {@link io.jdnn.examples.LeNet5} on
 * drawn digits, {@link io.jdnn.examples.SmallResNet} on drawn shapes, {@link io.jdnn.examples.Dcgan}
 * on soft blobs. {@link io.jdnn.examples.Examples} lists them by name for {@code jdnn train} and
 * for the test that trains each on every backend and compares the losses with the reference's.
 */
package io.jdnn.examples;
