package dev.enrollment.internal;

import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import dev.enrollment.UserAlreadyExistsException;
import dev.enrollment.Users;
import org.jooq.Condition;
import org.jooq.Record3;
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
import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;
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

    @Override
    public List<User> findAllById(Collection<Long> ids) {
        Checks.notNull(ids, "ids");
        if (ids.stream().anyMatch(java.util.Objects::isNull)) {
            throw new InvalidInputException("ids", "must not contain null");
        }
        return findAll("findAllById", new TreeSet<>(ids), chunk -> AUTH_USER.ID.in(chunk));
    }

    @Override
    public List<User> findAllByUsername(Collection<String> usernames) {
        Checks.notNull(usernames, "usernames");
        Set<String> names = new LinkedHashSet<>();
        for (String u : usernames) {
            names.add(User.unsaved(u, "").username());
        }
        return findAll("findAllByUsername", names, chunk -> AUTH_USER.USERNAME.in(chunk));
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
        return findAll("findAllByEmail", set, chunk -> collationFolds ? AUTH_USER.EMAIL.in(chunk)
                : org.jooq.impl.DSL.lower(AUTH_USER.EMAIL).in(chunk));
    }

    private <K> List<User> findAll(String operation, Set<K> keys, Function<List<K>, Condition> where) {
        List<K> all = new ArrayList<>(keys);
        List<User> found = new ArrayList<>();
        int batch = scope.db().batchSize();
        for (int from = 0; from < all.size(); from += batch) {
            List<K> chunk = all.subList(from, Math.min(all.size(), from + batch));
            found.addAll(scope.read(operation, s -> s.dsl()
                    .select(AUTH_USER.ID, AUTH_USER.USERNAME, AUTH_USER.EMAIL)
                    .from(AUTH_USER)
                    .where(where.apply(chunk))
                    .fetch(UserStore::toUser)));
        }
        found.sort(Comparator.comparingLong(u -> u.id().getAsLong()));
        return found;
    }

    @Override
    public void delete(User user) {
        long userId = Checks.savedUserId(user);
        int batch = scope.db().batchSize();
        // Enrollments first, a batch per transaction, so that a failure part-way leaves no orphan behind...
        while (scope.write("delete", true, s -> deleteEnrollments(s, user, userId, batch)) == batch) {
            continue;
        }
        // ...then the user, with whatever was enrolled meanwhile and the allowances it used, in one transaction.
        scope.write("delete", true, s -> {
            while (deleteEnrollments(s, user, userId, batch) == batch) {
                continue;
            }
            s.dsl().deleteFrom(STUDENT_COURSEENROLLMENTALLOWED)
                    .where(STUDENT_COURSEENROLLMENTALLOWED.USER_ID.eq(userId)).execute();
            s.dsl().deleteFrom(AUTH_USER).where(AUTH_USER.ID.eq(userId)).execute();
            return null;
        });
    }

    /** Deletes up to one batch of the user's enrollments, with their history and events; returns how many. */
    private static int deleteEnrollments(Session s, User user, long userId, int batch) {
        var e = STUDENT_COURSEENROLLMENT;
        // In the order of the unique key (user_id, course_id): InnoDB then locks only the batch it reads. Ordered
        // by id, it would sort, reading (and locking) every row of the user first.
        var rows = s.dsl().select(e.ID, e.COURSE_ID, e.MODE, e.IS_ACTIVE, e.CREATED)
                .from(e)
                .where(e.USER_ID.eq(userId))
                .orderBy(e.COURSE_ID)
                .limit(batch)
                .forUpdate()
                .fetch();
        if (rows.isEmpty()) {
            return 0;
        }
        // History from the stored values: rows written by Open edX may hold course keys or modes the library
        // cannot type (CCX keys); they are deleted all the same, and only typed rows become events.
        History.writeAll(s, History.DELETED, rows.map(r -> new History.Row(r.value1(), userId, r.value2(), r.value3(),
                r.value4(), Rows.instant(r.value5()))), Change.NONE);
        s.dsl().deleteFrom(e).where(e.USER_ID.eq(userId).and(e.ID.in(rows.map(r -> r.value1())))).execute();
        for (var r : rows) {
            CourseKey key = Rows.courseKeyOrNull(r.value2(), "student_courseenrollment", r.value1());
            CourseMode mode = Rows.modeOrNull(r.value3(), r.value1());
            if (key != null && mode != null) {
                s.emit(EnrollmentEvent.Type.DELETED, VALUES.enrollment(r.value1(), user, key, mode,
                        r.value4(), Rows.instant(r.value5())), null);
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
        return VALUES.savedUser(id, unsaved.username(), unsaved.email());
    }

    static User toUser(Record3<Long, String, String> r) {
        return VALUES.savedUser(r.value1(), r.value2(), r.value3());
    }
}
