package io.jdnn.nn;

import io.jdnn.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Modules run one after another, PyTorch's {@code nn.Sequential}: forward feeds each output to the
 * next module, backward runs the modules in reverse. Each intermediate output stays owned by the
 * module that made it, and alive until that module's next pass, so the backward passes find
 * their saved inputs. Made by {@link Layers#sequential}.
 */
public final class Sequential implements Module {
    private final List<Module> modules;

    /** The modules in forward order; at least one, none null. */
    public Sequential(List<? extends Module> modules) {
        if (modules == null || modules.isEmpty()) {
            throw new IllegalArgumentException("modules: expected at least one module, got " + (modules == null ? "null" : "none"));
        }
        for (int i = 0; i < modules.size(); i++) {
            if (modules.get(i) == null) {
                throw new IllegalArgumentException("modules[" + i + "]: expected a module, got null");
            }
        }
        this.modules = List.copyOf(modules);
    }

    /** The modules in forward order; at least one, none null. */
    public Sequential(Module... modules) {
        this(modules == null ? null : java.util.Arrays.asList(modules));
    }

    /** Module {@code i} in forward order. */
    public Module get(int i) {
        return modules.get(i);
    }

    /** The number of modules. */
    public int size() {
        return modules.size();
    }

    @Override
    public List<Module> children() {
        return modules;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor t = x;
        for (Module m : modules) {
            t = m.forward(t);
        }
        return t;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Tensor t = dy;
        for (int i = modules.size() - 1; i >= 0; i--) {
            t = modules.get(i).backward(t);
        }
        return t;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Module m : modules) {
            try {
                m.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        for (Module m : modules) {
            names.add(m.toString());
        }
        return "sequential" + names;
    }
}
