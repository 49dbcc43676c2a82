package dev.enrollment.internal;

import dev.enrollment.Allowance;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.User;

import java.time.Instant;

/**
 * The bridge through which the implementation makes saved {@link User}s and {@link Enrollment}s, whose
 * constructors are not public. {@code dev.enrollment.User} installs the only factory when it is initialized, so a
 * caller cannot make a saved user with an id of its choosing.
 */
public final class Values {
    /** Makes the values whose constructors are package-private in {@code dev.enrollment}. */
    public interface Factory {
        /**
         * Makes a saved user.
         *
         * @param id       the database id, positive
         * @param username the stored username
         * @param email    the stored email
         * @param origin   the identity of the database it was read from or written to
         * @return the user
         */
        User savedUser(long id, String username, String email, Object origin);

        /**
         * Returns the database a saved user belongs to.
         *
         * @param user a user
         * @return its database's identity, or null for an unsaved user
         */
        Object origin(User user);

        /**
         * Makes an enrollment.
         *
         * @param id      the row id
         * @param user    the saved user
         * @param course  the course
         * @param mode    the mode
         * @param active  the is_active column
         * @param created the created column, may be null
         * @return the enrollment
         */
        Enrollment enrollment(long id, User user, CourseKey course, CourseMode mode, boolean active, Instant created);

        /**
         * Makes an event.
         *
         * @param type   what happened
         * @param before the row before, null for CREATED
         * @param after  the row after, null for DELETED
         * @return the event
         */
        EnrollmentEvent event(EnrollmentEvent.Type type, Enrollment before, Enrollment after);

        /**
         * Makes an allowance.
         *
         * @param id         the row id
         * @param email      the stored email
         * @param course     the course
         * @param autoEnroll the auto_enroll column
         * @param created    the created column, may be null
         * @param user       the linked user, or null
         * @return the allowance
         */
        Allowance allowance(long id, String email, CourseKey course, boolean autoEnroll, Instant created, User user);
    }

    private static final String FACTORY_CLASS = "dev.enrollment.LibraryValues";
    private static volatile Factory factory;

    private Values() {
    }

    /**
     * Installs the factory; called once, by {@code dev.enrollment.User}'s static initializer.
     *
     * @param f the library's factory
     */
    public static synchronized void install(Factory f) {
        if (factory != null || f == null || !f.getClass().getName().equals(FACTORY_CLASS)
                || f.getClass().getClassLoader() != Values.class.getClassLoader()) {
            throw new IllegalStateException("only dev.enrollment installs the value factory, once");
        }
        factory = f;
    }

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /**
     * Returns the factory, initializing {@code dev.enrollment.User} first if needed. Only the library's own classes
     * may call it (they keep it in a static field): a saved {@code User} must not be made by a caller.
     *
     * @return the library's factory
     * @throws IllegalStateException if called from outside {@code dev.enrollment} and {@code dev.enrollment.internal}
     */
    public static Factory factory() {
        Class<?> caller = WALKER.getCallerClass();
        String pkg = caller.getPackageName();
        if (!(pkg.equals("dev.enrollment") || pkg.equals("dev.enrollment.internal"))
                || caller.getClassLoader() != Values.class.getClassLoader()) {
            throw new IllegalStateException("dev.enrollment.internal.Values is not API: a saved User comes only from "
                    + "the library (Users.save, findById, findByUsername, or an Enrollment)");
        }
        Factory f = factory;
        if (f == null) {
            try {
                Class.forName(User.class.getName(), true, Values.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            f = factory;
        }
        return f;
    }
}
