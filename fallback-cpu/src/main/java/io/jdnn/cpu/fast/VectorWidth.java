package io.jdnn.cpu.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Locale;

/**
 * The vector width the Vector API kernels run, chosen once when the class initializes: the JVM's
 * {@link FloatVector#SPECIES_PREFERRED} (what HotSpot's {@code UseAVX} and {@code MaxVectorSize}
 * allow on this CPU; HotSpot already lowers them on CPUs whose wide vectors are slow), at most 512
 * bits and at least 256, unless {@value #PROPERTY} asks for 256 or 512 (a request above the
 * preferred width is refused, since wider vectors than the JVM compiles run in slow Java code).
 * The species is a {@code static final}, so C2 compiles every kernel for it as a constant. Like
 * {@link VectorKernels}, only loaded where {@code jdk.incubator.vector} is present.
 */
final class VectorWidth {
    private VectorWidth() {
    }

    /** The system property that forces a width in bits: {@code 256} or {@code 512}. */
    static final String PROPERTY = "jdnn.cpu.vector.bits";

    /** The species every Vector API kernel runs. */
    static final VectorSpecies<Float> S;
    /** Its float lanes. */
    static final int L;
    /** Why this width: the preferred width, or the property's request (and whether it was honoured). */
    static final String WHY;

    static {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        int prefBits = preferred.vectorBitSize();
        String request = System.getProperty(PROPERTY, "").trim();
        VectorSpecies<Float> chosen;
        String why;
        if (request.isEmpty()) {
            chosen = prefBits >= 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
            why = "the JVM's preferred width (" + prefBits + " bits)";
        } else if (request.equals("256") || request.equals("512") && prefBits >= 512) {
            chosen = request.equals("256") ? FloatVector.SPECIES_256 : FloatVector.SPECIES_512;
            why = "-D" + PROPERTY + "=" + request + " (the JVM prefers " + prefBits + " bits)";
        } else {
            chosen = prefBits >= 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
            why = String.format(Locale.ROOT, "the JVM's preferred width (%d bits): -D%s=%s refused, %s", prefBits, PROPERTY,
                    request, request.equals("512") ? "the JVM does not compile 512-bit vectors here" : "256 or 512 expected");
            System.getLogger(VectorWidth.class.getName()).log(System.Logger.Level.WARNING, "jdnn: cpu backend: " + why);
        }
        S = chosen;
        L = chosen.length();
        WHY = why;
    }

    /** The width in bits. */
    static int bits() {
        return S.vectorBitSize();
    }
}
