package io.jdnn.tests.support;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * The jqwik hook of every conformance property (register it with
 * {@code @AddLifecycleHook(ConformanceHook.class)} on the class):
 * <ul>
 *   <li>sets the property's tries from {@code jdnn.test.tries} ({@link Knobs#tries()}) and, when
 *       {@code jdnn.test.seed} is set, its seed;</li>
 *   <li>fails the property when a device that must be tested is missing
 *       ({@link DevicesUnderTest#requirementFailure()});</li>
 *   <li>otherwise skips it, with the reason, when there is no device under test at all.</li>
 * </ul>
 */
public final class ConformanceHook implements AroundPropertyHook, SkipExecutionHook {

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        if (DevicesUnderTest.requirementFailure() != null) {
            return SkipResult.doNotSkip(); // aroundProperty fails it
        }
        String why = DevicesUnderTest.nothingToTest();
        return why == null ? SkipResult.doNotSkip() : SkipResult.skip(why);
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String missing = DevicesUnderTest.requirementFailure();
        if (missing != null) {
            throw new AssertionError(missing);
        }
        context.attributes().setTries(Knobs.tries());
        String seed = Knobs.seed();
        if (seed != null) {
            context.attributes().setSeed(seed);
        }
        return property.execute();
    }

    /** Registered on a test class, the hook applies to every property in it. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    /** Outermost, so that the tries are set before jqwik's own hooks start the property. */
    @Override
    public int aroundPropertyProximity() {
        return -100;
    }
}
