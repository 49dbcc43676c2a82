package dev.enrollment.internal;

import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import dev.enrollment.UserAlreadyExistsException;
import dev.enrollment.Users;
import org.jooq.Condition;
import org.jooq.exception.DataAccessException;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.Optional;
import java.util.stream.Collectors;

import static dev.enrollment.schema.Tables.AUTH_USER;
import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENTALLOWED;

/** {@link Users} on {@code auth_user}. */
public final class UserStore implements Users {
    private static final Values.Factory VALUES = Values.factory();
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
                .select(UserRow.FIELDS)
                .from(AUTH_USER)
                .where(AUTH_USER.ID.eq(id))
                .fetchOptional(r -> UserRow.of(s.db(), r)));
    }

    @Override
    public Optional<User> findByUsername(String username) {
        String name = User.unsaved(username, "").username();
        return scope.read("findByUsername", s -> s.dsl()
                .select(UserRow.FIELDS)
                .from(AUTH_USER)
                .where(AUTH_USER.USERNAME.eq(name))
                .fetch(r -> UserRow.of(s.db(), r))
                .stream()
                // Compared again, exactly: a collation the library does not own (Open edX's utf8mb3_general_ci)
                // matches 'José' for 'jose'; a lookup never returns somebody else.
                .filter(u -> u.username().equals(name))
                .findFirst());
    }

    @Override
    public List<User> findAllById(Collection<Long> ids) {
        Checks.notNull(ids, "ids");
        if (ids.stream().anyMatch(java.util.Objects::isNull)) {
            throw new InvalidInputException("ids", "must not contain null");
        }
        return findAll("findAllById", new TreeSet<>(ids), chunk -> AUTH_USER.ID.in(chunk), u -> true);
    }

    @Override
    public List<User> findAllByUsername(Collection<String> usernames) {
        Checks.notNull(usernames, "usernames");
        Set<String> names = new LinkedHashSet<>();
        for (String u : usernames) {
            names.add(User.unsaved(u, "").username());
        }
        return findAll("findAllByUsername", names, chunk -> AUTH_USER.USERNAME.in(chunk),
                u -> names.contains(u.username()));
    }

    @Override
    public List<User> findAllByEmail(Collection<String> emails) {
        Checks.notNull(emails, "emails");
        Set<String> set = new LinkedHashSet<>();
        for (String e : emails) {
            if (e != null && e.isEmpty()) {
                throw new InvalidInputException("email", "must not be empty");
            }
            set.add(Checks.email(e).toLowerCase(java.util.Locale.ROOT));
        }
        // Emails compare case-insensitively: MySQL's _ci collations already do (and keep an index usable).
        boolean collationFolds = scope.db().dialect().isMySqlFamily();
        // A collation that folds accents too is checked again, exactly but for case.
        return findAll("findAllByEmail", set, chunk -> collationFolds ? AUTH_USER.EMAIL.in(chunk)
                : org.jooq.impl.DSL.lower(AUTH_USER.EMAIL).in(chunk),
                u -> set.contains(u.email().toLowerCase(java.util.Locale.ROOT)));
    }

    private <K> List<User> findAll(String operation, Set<K> keys, Function<List<K>, Condition> where,
                                   java.util.function.Predicate<User> exactly) {
        List<K> all = new ArrayList<>(keys);
        List<User> found = new ArrayList<>();
        int batch = scope.db().batchSize();
        for (int from = 0; from < all.size(); from += batch) {
            List<K> chunk = all.subList(from, Math.min(all.size(), from + batch));
            found.addAll(scope.read(operation, s -> s.dsl()
                    .select(UserRow.FIELDS)
                    .from(AUTH_USER)
                    .where(where.apply(chunk))
                    .fetch(r -> UserRow.of(s.db(), r))));
            found.removeIf(exactly.negate());
        }
        found.sort(Comparator.comparingLong(u -> u.id().getAsLong()));
        return found;
    }

    @Override
    public User changeEmail(User user, String email) {
        long userId = Checks.savedUserId(user, scope.db());
        String address = Checks.email(email);
        String key = address.toLowerCase(java.util.Locale.ROOT);
        return scope.write("changeEmail", true, s -> {
            if (!key.isEmpty()) {
                // Emails are unique (Open edX's rule). Open edX's auth_user enforces it with a unique index, caught
                // below; the library's schema has none, so look for another user with the email first.
                var where = s.db().dialect().isMySqlFamily() ? AUTH_USER.EMAIL.eq(key)
                        : org.jooq.impl.DSL.lower(AUTH_USER.EMAIL).eq(key);
                boolean taken = s.dsl().select(AUTH_USER.EMAIL).from(AUTH_USER)
                        .where(where.and(AUTH_USER.ID.ne(userId)))
                        .fetch(AUTH_USER.EMAIL)
                        .stream().anyMatch(stored -> Rows.sameEmail(stored, key));
                if (taken) {
                    throw UserAlreadyExistsException.emailTaken(address);
                }
            }
            int updated;
            try {
                updated = s.dsl().update(AUTH_USER).set(AUTH_USER.EMAIL, address)
                        .where(AUTH_USER.ID.eq(userId)).execute();
            } catch (DataAccessException e) {
                if (Failures.isUniqueViolation(e)) {
                    // The failed UPDATE is behind it: on PostgreSQL it aborted the transaction (see Scope.inline).
                    UserAlreadyExistsException taken = UserAlreadyExistsException.emailTaken(address);
                    taken.initCause(Failures.sqlException(e));
                    throw taken;
                }
                throw e;
            }
            if (updated == 0) {
                throw new dev.enrollment.NotFoundException("changeEmail: user " + userId + " does not exist");
            }
            User changed = VALUES.savedUser(userId, user.username(), address, scope.db().origin());
            AllowanceStore.linkTo(s, changed, Change.NONE);
            return changed;
        });
    }

    @Override
    public void delete(User user) {
        long userId = Checks.savedUserId(user, scope.db());
        int batch = scope.db().batchSize();
        // All or nothing, in one transaction: the enrollments (a batch per statement, with their history), the
        // allowances the user used, then the user. Another table's foreign key (Open edX's auth_userprofile, or
        // student_courseenrollmentattribute on an enrollment) that refuses a delete rolls all of it back.
        scope.write("delete", true, s -> {
            try {
                while (deleteEnrollments(s, user, userId, batch) == batch) {
                    continue;
                }
                s.dsl().deleteFrom(STUDENT_COURSEENROLLMENTALLOWED)
                        .where(STUDENT_COURSEENROLLMENTALLOWED.USER_ID.eq(userId)).execute();
                s.dsl().deleteFrom(AUTH_USER).where(AUTH_USER.ID.eq(userId)).execute();
            } catch (DataAccessException e) {
                if (Failures.isReferenced(e)) {
                    String table = Failures.referencingTable(e);
                    throw new dev.enrollment.DatabaseException("delete", 1, "delete failed: user " + userId
                            + " is still referenced by " + (table != null ? "table " + table : "another table")
                            + " through a foreign key, so nothing was deleted: the user, their enrollments, "
                            + "allowances and history are as they were (delete or re-point those rows first; "
                            + JdbcUrls.redact(Failures.sqlException(e).getMessage()) + ")", Failures.sqlException(e));
                }
                throw e;
            }
            return null;
        });
    }

    /** Deletes up to one batch of the user's enrollments, with their history and events; returns how many. */
    private static int deleteEnrollments(Session s, User user, long userId, int batch) {
        List<EnrollmentRow> rows = EnrollmentTable.lockOfUser(s, userId, org.jooq.impl.DSL.noCondition(), batch);
        if (rows.isEmpty()) {
            return 0;
        }
        // History from the stored values: rows written by Open edX may hold course keys or modes the library
        // cannot type (CCX keys); they are deleted all the same, and only typed rows become events.
        History.writeAll(s, History.DELETED, rows, Change.NONE);
        EnrollmentTable.deleteAll(s, rows);
        for (EnrollmentRow r : rows) {
            Enrollment gone = r.typed(user);
            if (gone != null) {
                s.emit(EnrollmentEvent.Type.DELETED, gone, null);
            }
        }
        return rows.size();
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

    /**
     * Inserts the row as Django's {@code create_user} with no password would. A unique index that refuses it is
     * named: the username, or the email where emails are unique (Open edX); any other is a DatabaseException.
     */
    private static User insert(Session s, User unsaved) {
        Long id;
        try {
            var insert = s.dsl().insertInto(AUTH_USER)
                    .set(AUTH_USER.PASSWORD, Passwords.unusable())
                    .set(AUTH_USER.LAST_LOGIN, (LocalDateTime) null)
                    .set(AUTH_USER.IS_SUPERUSER, false)
                    .set(AUTH_USER.USERNAME, unsaved.username())
                    .set(AUTH_USER.FIRST_NAME, "")
                    .set(AUTH_USER.LAST_NAME, "")
                    .set(AUTH_USER.EMAIL, unsaved.email())
                    .set(AUTH_USER.IS_STAFF, false)
                    .set(AUTH_USER.IS_ACTIVE, true)
                    .set(AUTH_USER.DATE_JOINED, Timestamps.field(s.db().dialect(), Instant.now()));
            // PostgreSQL: ON CONFLICT DO NOTHING (any unique index), so that the transaction stays usable to find
            // out which; elsewhere a plain insert, whose duplicate-key error rolls back only the statement.
            id = s.db().dialect() == Dialect.POSTGRES
                    ? insert.onConflictDoNothing().returningResult(AUTH_USER.ID).fetchOptional(AUTH_USER.ID)
                            .orElse(null)
                    : insert.returningResult(AUTH_USER.ID).fetchOne(AUTH_USER.ID);
        } catch (DataAccessException e) {
            if (Failures.isUniqueViolation(e)) {
                throw whichIsTaken(s, unsaved, e);
            }
            throw e;
        }
        if (id == null) {
            throw whichIsTaken(s, unsaved, null);
        }
        return VALUES.savedUser(id, unsaved.username(), unsaved.email(), s.db().origin());
    }

    /** After a unique index refused an unsaved user: the exception that says which value an existing user has. */
    private static RuntimeException whichIsTaken(Session s, User unsaved, DataAccessException violation) {
        var username = org.jooq.impl.DSL.field(AUTH_USER.USERNAME.eq(unsaved.username()));
        var email = org.jooq.impl.DSL.field(AUTH_USER.EMAIL.eq(unsaved.email()));
        Condition either = AUTH_USER.USERNAME.eq(unsaved.username()).or(AUTH_USER.EMAIL.eq(unsaved.email()));
        var rows = s.dsl().select(username, email).from(AUTH_USER).where(either).fetch();
        if (rows.isEmpty() && s.db().dialect().isMySqlFamily()) {
            // The snapshot of a caller's transaction may predate the row: a locking read sees the latest.
            rows = s.dsl().select(username, email).from(AUTH_USER).where(either).forUpdate().fetch();
        }
        if (rows.stream().anyMatch(r -> Boolean.TRUE.equals(r.get(username)))) {
            return new UserAlreadyExistsException(unsaved.username());
        }
        if (rows.stream().anyMatch(r -> Boolean.TRUE.equals(r.get(email)))) {
            return UserAlreadyExistsException.emailTaken(unsaved.username(), unsaved.email());
        }
        String why = violation == null ? "" : ": " + JdbcUrls.redact(Failures.sqlException(violation).getMessage());
        return new dev.enrollment.DatabaseException("save", 1, "save failed: auth_user refused the new user on a "
                + "unique index other than username and email" + why, violation == null ? null
                : Failures.sqlException(violation));
    }
}
