/**
 * A layer toolkit over jdnn's operations: layers with forward and backward passes whose parameters,
 * gradients and optimizer state live on the device.
 *
 * <ul>
 *   <li>{@link io.jdnn.nn.Layers} makes every layer on one device from one seed, so that the same
 *       network starts from the same weights on every backend;</li>
 *   <li>{@link io.jdnn.nn.Module} is what a layer or a composition does (forward, backward,
 *       parameters, modes, release); {@link io.jdnn.nn.Layer} is the base of single layers;</li>
 *   <li>layers: {@link io.jdnn.nn.Conv2d}, {@link io.jdnn.nn.ConvTranspose2d},
 *       {@link io.jdnn.nn.BatchNorm2d}, {@link io.jdnn.nn.MaxPool2d}, {@link io.jdnn.nn.AvgPool2d},
 *       {@link io.jdnn.nn.Linear}, {@link io.jdnn.nn.ActivationLayer}, {@link io.jdnn.nn.Dropout},
 *       {@link io.jdnn.nn.Flatten}, {@link io.jdnn.nn.GroupNorm}, {@link io.jdnn.nn.InstanceNorm},
 *       {@link io.jdnn.nn.LayerNorm}, {@link io.jdnn.nn.LocalResponseNorm}, {@link io.jdnn.nn.PRelu},
 *       {@link io.jdnn.nn.LogSoftmax}; compositions: {@link io.jdnn.nn.Sequential},
 *       {@link io.jdnn.nn.Residual}, {@link io.jdnn.nn.Concat};</li>
 *   <li>{@link io.jdnn.nn.Parameter} (value, gradient with explicit accumulation, optimizer state),
 *       {@link io.jdnn.nn.OptimizerDriver} (one update rule over many parameters),
 *       {@link io.jdnn.nn.Init}, {@link io.jdnn.nn.ConvAlgorithmChoice};</li>
 *   <li>losses ({@link io.jdnn.nn.LossModule}): {@link io.jdnn.nn.CrossEntropyLoss},
 *       {@link io.jdnn.nn.NllLoss}, and the {@link io.jdnn.nn.ElementwiseLoss}es
 *       {@link io.jdnn.nn.MseLoss}, {@link io.jdnn.nn.L1Loss}, {@link io.jdnn.nn.SmoothL1Loss},
 *       {@link io.jdnn.nn.BceWithLogitsLoss};</li>
 *   <li>{@link io.jdnn.nn.GradCheck}: a module's or a loss's backward pass against central
 *       differences, in float64 on the reference backend.</li>
 * </ul>
 *
 * <p>The package depends on the public API only ({@link io.jdnn.Device} and the problem records).
 * {@code docs/training.md} describes the ownership and gradient rules; package {@code io.jdnn.examples}
 * (module jdnn-examples) trains three networks with it.
 */
package io.jdnn.nn;
