package dev.enrollment.internal;

import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import dev.enrollment.UserAlreadyExistsException;
import dev.enrollment.Users;
import org.jooq.Record3;
import org.jooq.exception.DataAccessException;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Optional;

import static dev.enrollment.schema.Tables.AUTH_USER;

/** {@link Users} on {@code auth_user}. */
public final class UserStore implements Users {
    private final Scope scope;

    /**
     * Creates the store.
     *
     * @param scope where operations run
     */
    public UserStore(Scope scope) {
        this.scope = scope;
    }

    @Override
    public User save(User unsaved) {
        requireUnsaved(unsaved);
        return scope.write("save", true, s -> insertAndLink(s, unsaved, Change.NONE));
    }

    @Override
    public Optional<User> findById(long id) {
        if (id <= 0) {
            return Optional.empty();
        }
        return scope.read("findById", s -> s.dsl()
                .select(AUTH_USER.ID, AUTH_USER.USERNAME, AUTH_USER.EMAIL)
                .from(AUTH_USER)
                .where(AUTH_USER.ID.eq(id))
                .fetchOptional(UserStore::toUser));
    }

    @Override
    public Optional<User> findByUsername(String username) {
        String name = User.unsaved(username, "").username();
        return scope.read("findByUsername", s -> s.dsl()
                .select(AUTH_USER.ID, AUTH_USER.USERNAME, AUTH_USER.EMAIL)
                .from(AUTH_USER)
                .where(AUTH_USER.USERNAME.eq(name))
                .fetchOptional(UserStore::toUser));
    }

    /**
     * Throws unless the user is non-null and unsaved.
     *
     * @param user the argument
     */
    static void requireUnsaved(User user) {
        Checks.notNull(user, "user");
        if (user.isSaved()) {
            throw new InvalidInputException("user", "must be unsaved (it already has an id)");
        }
    }

    /**
     * Inserts an unsaved user and links its email's unused allowances, in the session's transaction.
     *
     * @param s       the session, in a transaction
     * @param unsaved the user
     * @param change  who and why, for the history of auto-enrollments
     * @return the saved user
     * @throws UserAlreadyExistsException if the username is taken
     */
    static User insertAndLink(Session s, User unsaved, Change change) {
        User saved = insert(s, unsaved);
        AllowanceStore.linkTo(s, saved, change);
        return saved;
    }

    /** Inserts the row as Django's {@code create_user} with no password would. */
    private static User insert(Session s, User unsaved) {
        final Long id;
        try {
            id = s.dsl().insertInto(AUTH_USER)
                    .set(AUTH_USER.PASSWORD, Passwords.unusable())
                    .set(AUTH_USER.LAST_LOGIN, (LocalDateTime) null)
                    .set(AUTH_USER.IS_SUPERUSER, false)
                    .set(AUTH_USER.USERNAME, unsaved.username())
                    .set(AUTH_USER.FIRST_NAME, "")
                    .set(AUTH_USER.LAST_NAME, "")
                    .set(AUTH_USER.EMAIL, unsaved.email())
                    .set(AUTH_USER.IS_STAFF, false)
                    .set(AUTH_USER.IS_ACTIVE, true)
                    .set(AUTH_USER.DATE_JOINED, s.db().timestamp(Instant.now()))
                    .returningResult(AUTH_USER.ID)
                    .fetchOne(r -> r.value1());
        } catch (DataAccessException e) {
            if (Failures.isUniqueViolation(e)) {
                throw new UserAlreadyExistsException(unsaved.username());
            }
            throw e;
        }
        if (id == null) {
            throw new IllegalStateException("the database returned no id for the inserted auth_user row");
        }
        return Values.factory().savedUser(id, unsaved.username(), unsaved.email());
    }

    static User toUser(Record3<Long, String, String> r) {
        return Values.factory().savedUser(r.value1(), r.value2(), r.value3());
    }
}
