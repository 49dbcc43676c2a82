package dev.enrollment;

import dev.enrollment.internal.Checks;
import dev.enrollment.internal.Values;

import java.text.Normalizer;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A user, as stored in {@code auth_user}. Immutable.
 *
 * <p>The only public factory is {@link #unsaved(String, String)}: a {@code User} that carries an id comes only from
 * the library ({@link Users#save}, {@link Users#findById}, {@link Users#findByUsername}, or
 * {@link Enrollment#user()}). That is what keeps integrity without a foreign key: the repositories accept a
 * {@code User}, never a raw id, so a caller cannot enroll an id that was never loaded from or written to the
 * database.
 *
 * <p>Rules, checked when the value is made (Django's, so Open edX accepts what the library writes):
 * <ul>
 *   <li>username: 1 to 150 characters, each a letter, a digit or one of {@code @ . + - _}; normalized to Unicode
 *       NFKC first, as Django does;</li>
 *   <li>email: empty, or at most 254 characters with exactly one {@code @}, and no whitespace or control
 *       characters.</li>
 * </ul>
 * Two users are equal when their id, username and email are equal.
 */
public final class User {
    static {
        Values.install(new LibraryValues());
    }

    private final long id;        // 0 when unsaved: identity columns start at 1
    private final String username;
    private final String email;
    /** The database a saved user was loaded from or saved to (an identity the library interns); null if unsaved. */
    private final Object origin;

    private User(long id, String username, String email, Object origin) {
        this.id = id;
        this.username = username;
        this.email = email;
        this.origin = origin;
    }

    /** A saved user of a database; only {@link LibraryValues} calls it. */
    static User saved(long id, String username, String email, Object origin) {
        return new User(id, username, email, origin);
    }

    Object origin() {
        return origin;
    }

    /**
     * Makes a user that is not in the database yet. Give it to {@link Users#save(User)}, or straight to
     * {@link EnrollmentRepository#getOrCreate(User, CourseKey)}, which inserts it in the same transaction as its
     * enrollment.
     *
     * @param username 1 to 150 letters, digits or {@code @ . + - _}; normalized to NFKC
     * @param email    empty, or one {@code @} and at most 254 characters
     * @return the unsaved user, whose {@link #id()} is empty
     * @throws InvalidInputException if either argument is null or breaks its rule
     */
    public static User unsaved(String username, String email) {
        return new User(0L, checkUsername(username), Checks.email(email), null);
    }

    /**
     * Checks a username and returns it normalized to NFKC; the rule used by {@link #unsaved} and by lookups.
     */
    static String checkUsername(String username) {
        if (username == null) {
            throw new InvalidInputException("username", "must not be null");
        }
        return Checks.username(Normalizer.normalize(username, Normalizer.Form.NFKC));
    }

    /**
     * Returns the database id.
     *
     * @return the id, or empty for a user that is not saved yet
     */
    public OptionalLong id() {
        return id == 0L ? OptionalLong.empty() : OptionalLong.of(id);
    }

    /**
     * Tells whether this user was loaded from or written to the database.
     *
     * @return true when {@link #id()} is present
     */
    public boolean isSaved() {
        return id != 0L;
    }

    /**
     * Returns the username.
     *
     * @return the username, NFKC-normalized
     */
    public String username() {
        return username;
    }

    /**
     * Returns the email address.
     *
     * @return the email, possibly empty
     */
    public String email() {
        return email;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof User)) {
            return false;
        }
        User other = (User) o;
        return id == other.id && username.equals(other.username) && email.equals(other.email)
                && origin == other.origin;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, username, email);
    }

    @Override
    public String toString() {
        return isSaved() ? "User[id=" + id + ", username=" + username + "]" : "User[unsaved, username=" + username + "]";
    }
}
