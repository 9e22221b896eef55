package io.jdnn.examples;

import io.jdnn.Shape;

/**
 * One batch of host images, NCHW row-major float32, with one class label per image (empty for
 * unlabelled data).
 *
 * @param shape  (images, channels, height, width)
 * @param images the pixels, NCHW row-major, one per element of the shape
 * @param labels one class index per image, or empty for unlabelled data
 */
public record Batch(Shape shape, float[] images, int[] labels) {

    /** Validates: a rank-4 shape, one value per element, and either no labels or one per image. */
    public Batch {
        if (shape.rank() != 4 || images.length != shape.elements()) {
            throw new IllegalArgumentException("images: expected " + shape.elements() + " values for NCHW shape " + shape
                    + ", got " + images.length);
        }
        if (labels.length != 0 && labels.length != shape.dim(0)) {
            throw new IllegalArgumentException("labels: expected one per image (" + shape.dim(0) + "), got " + labels.length);
        }
    }

    /** Images in the batch: the shape's first dimension. */
    public int size() {
        return shape.dim(0);
    }
}
