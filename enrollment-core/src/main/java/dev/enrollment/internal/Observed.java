package dev.enrollment.internal;

import dev.enrollment.Allowances;
import dev.enrollment.EnrollmentRepository;
import dev.enrollment.OperationObserver;
import dev.enrollment.Orphans;
import dev.enrollment.Users;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * Reports the calls to the repositories to an {@link OperationObserver}: each public method of {@link Users},
 * {@link EnrollmentRepository}, {@link Allowances} and {@link Orphans} is one operation, named after the method, so
 * a method added to an interface is observed without a change here. Without an observer nothing is wrapped and a
 * call costs nothing more.
 */
public final class Observed {
    private static final Set<Class<?>> REPOSITORIES = Set.of(Users.class, EnrollmentRepository.class,
            Allowances.class, Orphans.class);
    /** The operation running on this thread, which hears of retries. */
    private static final ThreadLocal<OperationObserver.Operation> CURRENT = new ThreadLocal<>();

    private Observed() {
    }

    /**
     * Wraps a repository, or an object handing out repositories (a transaction), so that its calls are observed.
     *
     * @param type     the interface
     * @param target   the implementation
     * @param observer the observer, or null for none
     * @param <T>      the interface
     * @return the target itself when there is no observer, else a proxy
     */
    public static <T> T wrap(Class<T> type, T target, OperationObserver observer) {
        if (observer == null) {
            return target;
        }
        boolean repository = REPOSITORIES.contains(type);
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, target, method, args);
            }
            Class<?> returned = method.getReturnType();
            if (REPOSITORIES.contains(returned)) {   // changedBy(...), or a transaction's repositories
                return wrapAny(returned, invoke(target, method, args), observer);
            }
            if (!repository) {
                return invoke(target, method, args);
            }
            return observe(observer, method.getName(), () -> invoke(target, method, args));
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object wrapAny(Class type, Object target, OperationObserver observer) {
        return wrap(type, target, observer);
    }

    private static Object objectMethod(Object proxy, Object target, Method method, Object[] args) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return target.toString();
        }
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A call that may throw anything. */
    @FunctionalInterface
    public interface Call<T> {
        /**
         * Makes the call.
         *
         * @return its result
         * @throws Throwable whatever it throws
         */
        T call() throws Throwable;
    }

    /**
     * Runs one call as an observed operation.
     *
     * @param observer  the observer, or null to just run it
     * @param operation its name
     * @param call      the call
     * @param <T>       its result
     * @return the result
     */
    public static <T> T observe(OperationObserver observer, String operation, Call<T> call) {
        if (observer == null) {
            return run(call);
        }
        OperationObserver.Operation op = observer.start(operation);
        OperationObserver.Operation outer = CURRENT.get();
        CURRENT.set(op);
        Throwable failure = null;
        try {
            return run(call);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
            op.end(failure);
        }
    }

    private static <T> T run(Call<T> call) {
        try {
            return call.call();
        } catch (Throwable t) {
            throw Observed.<RuntimeException>sneaky(t);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /** Tells the operation running on this thread, if it is observed, that it is being retried. */
    static void retried() {
        OperationObserver.Operation op = CURRENT.get();
        if (op != null) {
            op.retried();
        }
    }
}
