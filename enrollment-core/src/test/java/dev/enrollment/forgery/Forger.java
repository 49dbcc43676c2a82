package dev.enrollment.forgery;

import dev.enrollment.User;
import dev.enrollment.internal.Values;

/** A caller outside the library trying to make a saved User with an id of its choosing. */
public final class Forger {
    private Forger() {
    }

    /** Tries to forge user 7. */
    public static User forge() {
        return Values.factory().savedUser(7, "bob", "", new Object());
    }
}
