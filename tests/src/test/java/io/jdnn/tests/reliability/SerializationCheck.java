package io.jdnn.tests.reliability;

import io.jdnn.spi.DeviceBackend;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link DeviceBackend} in front of a real one that checks the threading contract of
 * {@link io.jdnn.Device}: the backend sees one call at a time. Every SPI call counts itself in and
 * out; a call that finds another one inside is recorded with both methods' names and threads.
 * Wrap a backend with {@link #wrap}, hand the proxy to {@code Devices.wrap}, run threads against the
 * Device, then {@link #violations()} lists what overlapped.
 */
final class SerializationCheck implements InvocationHandler {
    /**
     * Queries {@link io.jdnn.Device} makes without its lock (for messages, {@code algorithms()},
     * {@code isDeterministic}): answered from immutable state by every backend, so they may overlap.
     */
    static final java.util.Set<String> UNLOCKED = java.util.Set.of("info", "algorithms", "isDeterministic");

    private final DeviceBackend target;
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicReference<String> current = new AtomicReference<>();
    private final List<String> violations = new ArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    private SerializationCheck(DeviceBackend target) {
        this.target = target;
    }

    static SerializationCheck of(DeviceBackend target) {
        return new SerializationCheck(target);
    }

    DeviceBackend wrap() {
        return (DeviceBackend) Proxy.newProxyInstance(DeviceBackend.class.getClassLoader(),
                new Class<?>[] {DeviceBackend.class}, this);
    }

    /** Calls that overlapped another one, with the other one; empty when the contract held. */
    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    int calls() {
        return calls.get();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String me = method.getName() + " on " + Thread.currentThread().getName();
        if (method.getDeclaringClass() == Object.class || UNLOCKED.contains(method.getName())) {
            return invokeTarget(method, args);
        }
        calls.incrementAndGet();
        if (inside.incrementAndGet() != 1) {
            synchronized (this) {
                violations.add(me + " entered while " + current.get() + " was running");
            }
        }
        current.set(me);
        try {
            return invokeTarget(method, args);
        } finally {
            inside.decrementAndGet();
        }
    }

    private Object invokeTarget(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
