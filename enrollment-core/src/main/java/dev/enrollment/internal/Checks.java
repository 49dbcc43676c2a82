package dev.enrollment.internal;

import dev.enrollment.InvalidInputException;
import dev.enrollment.User;

/** Argument rules shared by the value types and the repositories. */
public final class Checks {
    /** {@code auth_user.username} width, and Django's limit. */
    public static final int USERNAME_MAX = 150;
    /** {@code auth_user.email} width, and Django's limit. */
    public static final int EMAIL_MAX = 254;

    private Checks() {
    }

    /**
     * Throws if the argument is null.
     *
     * @param value the argument
     * @param field its name, for the message
     * @param <T>   its type
     * @return the argument
     */
    public static <T> T notNull(T value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "must not be null");
        }
        return value;
    }

    /**
     * Throws unless the user is non-null and saved.
     *
     * @param user the argument
     * @return the user's id
     */
    public static long savedUserId(User user) {
        notNull(user, "user");
        if (!user.isSaved()) {
            throw new InvalidInputException("user", "must be saved (load it with Users, or save it first)");
        }
        return user.id().getAsLong();
    }

    /**
     * Returns a saved user's id, after checking that the user belongs to this database: a User loaded from another
     * database (another tenant's, a throwaway one) would be enrolled, by id, as whoever owns that id here.
     *
     * @param user the argument
     * @param db   the database the repository runs on
     * @return its id
     * @throws InvalidInputException if the user is null, unsaved, or from another database
     */
    public static long savedUserId(User user, Database db) {
        long id = savedUserId(user);
        requireOwned(user, db, "user");
        return id;
    }

    /**
     * Checks that a saved user belongs to this database (one reference comparison once the identity is known).
     *
     * @param user  a saved user
     * @param db    the database
     * @param field the argument's name, for the message
     */
    public static void requireOwned(User user, Database db, String field) {
        if (VALUES.origin(user) != db.origin()) {
            throw new InvalidInputException(field, "belongs to another database: a saved User is used only with the "
                    + "database it was loaded from or saved to (load it here with Users.findByUsername)");
        }
    }

    private static final Values.Factory VALUES = Values.factory();

    /**
     * Django's username rule: 1 to 150 characters, each a letter, a digit or one of {@code @ . + - _}.
     *
     * @param username the NFKC-normalized username, not null
     * @return the username
     */
    public static String username(String username) {
        int length = username.codePointCount(0, username.length());
        if (length == 0) {
            throw new InvalidInputException("username", "must not be empty");
        }
        if (length > USERNAME_MAX) {
            throw new InvalidInputException("username",
                    "must be at most " + USERNAME_MAX + " characters (was " + length + ")");
        }
        for (int i = 0, n = 0; i < username.length(); n++) {
            int cp = username.codePointAt(i);
            if (!(Character.isLetterOrDigit(cp) || cp == '@' || cp == '.' || cp == '+' || cp == '-' || cp == '_')) {
                throw new InvalidInputException("username", "must contain only letters, digits and @ . + - _ "
                        + "(character " + (n + 1) + " is " + describe(cp) + ")");
            }
            i += Character.charCount(cp);
        }
        return username;
    }

    /**
     * The email rule: empty, or at most 254 characters with exactly one {@code @} and no whitespace or control
     * characters.
     *
     * @param email the email
     * @return the email
     */
    public static String email(String email) {
        if (email == null) {
            throw new InvalidInputException("email", "must not be null (use \"\" for no email)");
        }
        if (email.isEmpty()) {
            return email;
        }
        int length = email.codePointCount(0, email.length());
        if (length > EMAIL_MAX) {
            throw new InvalidInputException("email",
                    "must be at most " + EMAIL_MAX + " characters (was " + length + ")");
        }
        int at = email.indexOf('@');
        if (at < 0 || email.indexOf('@', at + 1) >= 0) {
            throw new InvalidInputException("email", "must be empty or contain exactly one @");
        }
        for (int i = 0; i < email.length(); ) {
            int cp = email.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isISOControl(cp) || Character.isSpaceChar(cp)
                    || Character.getType(cp) == Character.FORMAT) {
                throw new InvalidInputException("email", "must not contain whitespace or control characters");
            }
            i += Character.charCount(cp);
        }
        return email;
    }

    /**
     * One part of a course key: at least one character of {@code [A-Za-z0-9_.~:-]}.
     *
     * @param name which part, for the message
     * @param part the part
     */
    public static void courseKeyPart(String name, String part) {
        if (part.isEmpty()) {
            throw new InvalidInputException("course", "must have a non-empty " + name + " part");
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '~' || c == ':' || c == '-';
            if (!ok) {
                throw new InvalidInputException("course", "parts must contain only [A-Za-z0-9_.~:-] (the " + name
                        + " part has " + describe(c) + ")");
            }
        }
    }

    private static String describe(int cp) {
        if (cp == ' ') {
            return "a space";
        }
        if (cp == '\'' || cp == '"' || cp == '`') {
            return "a quote";
        }
        if (Character.isISOControl(cp) || Character.isWhitespace(cp) || !Character.isDefined(cp)
                || Character.isSurrogate((char) (cp & 0xFFFF)) && cp <= 0xFFFF) {
            return String.format("U+%04X", cp);
        }
        if (cp < 128) {
            return "'" + (char) cp + "'";
        }
        return String.format("U+%04X", cp);
    }
}
