package dev.enrollment;

/**
 * A class a consumer puts in the library's package, to reach its package-private door and forge a saved User with
 * an id of its choosing. The library's jar seals the package, so this class cannot even be loaded.
 */
public final class Intruder {
    private Intruder() {
    }

    /** Tries to forge user 7 of the database the library knows. */
    public static User forge() {
        return User.unsaved("bob", "");   // the package's members are what it came for; loading it already fails
    }
}
