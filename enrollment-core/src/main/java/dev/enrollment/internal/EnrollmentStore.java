package dev.enrollment.internal;

import dev.enrollment.BulkResult;
import dev.enrollment.CourseFilter;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.EnrollmentRepository;
import dev.enrollment.InvalidInputException;
import dev.enrollment.NotFoundException;
import dev.enrollment.User;
import dev.enrollment.schema.tables.AuthUser;
import dev.enrollment.schema.tables.StudentCourseenrollment;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record5;
import org.jooq.Record6;
import org.jooq.Record8;
import org.jooq.SelectConditionStep;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.enrollment.schema.Tables.AUTH_USER;
import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/** {@link EnrollmentRepository} on {@code student_courseenrollment}, with history and events. */
public final class EnrollmentStore implements EnrollmentRepository {
    private static final Values.Factory VALUES = Values.factory();
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;
    private static final AuthUser U = AUTH_USER;
    /** Insert-then-read rounds before giving up when a row keeps vanishing under a concurrent delete. */
    private static final int MAX_ROUNDS = 3;

    private final Scope scope;
    private final Change change;

    /**
     * Creates the store.
     *
     * @param scope  where operations run
     * @param change who and why, for history rows
     */
    public EnrollmentStore(Scope scope, Change change) {
        this.scope = scope;
        this.change = change;
    }

    @Override
    public EnrollmentRepository changedBy(User actor, String reason) {
        return new EnrollmentStore(scope, Change.of(actor, reason));
    }

    // ---- writes ------------------------------------------------------------------------------------------------

    @Override
    public Enrollment getOrCreate(User user, CourseKey course) {
        Checks.notNull(user, "user");
        Checks.notNull(course, "course");
        if (!user.isSaved()) {
            // Rule 2: the user row and its enrollment commit together or not at all.
            return scope.write("getOrCreate", true, s -> {
                User saved = UserStore.insertAndLink(s, user, change);
                return createIfAbsent(s, saved, course, change);
            });
        }
        // A saved user is trusted (rule 5): no existence check. Most calls find the row: read first, in autocommit;
        // only a miss opens a transaction (rule 3: insert-ignore, then read; never select-then-insert alone).
        Optional<Enrollment> existing = scope.read("getOrCreate", s -> select(s, user, course));
        if (existing.isPresent()) {
            return existing.get();
        }
        return scope.write("getOrCreate", true, s -> createIfAbsent(s, user, course, change));
    }

    @Override
    public Enrollment enroll(User user, CourseKey course, CourseMode mode) {
        Checks.savedUserId(user);
        Checks.notNull(course, "course");
        Checks.notNull(mode, "mode");
        Optional<Enrollment> current = scope.read("enroll", s -> select(s, user, course));
        if (current.isPresent() && current.get().isActive() && current.get().mode() == mode) {
            return current.get();   // nothing to change: no transaction, no history, no event
        }
        AtomicBoolean exists = new AtomicBoolean(current.isPresent());
        return scope.write("enroll", true, s -> enrollIn(s, user, course, mode, change, exists));
    }

    @Override
    public Enrollment unenroll(User user, CourseKey course) {
        Checks.savedUserId(user);
        Checks.notNull(course, "course");
        Enrollment current = scope.read("unenroll", s -> select(s, user, course))
                .orElseThrow(() -> notFound("unenroll", user, course));
        if (!current.isActive()) {
            return current;
        }
        return scope.write("unenroll", true, s -> {
            Enrollment before = selectForUpdate(s, user, course).orElseThrow(() -> notFound("unenroll", user, course));
            if (!before.isActive()) {
                return before;
            }
            Enrollment after = update(s, before, false, before.mode());
            History.write(s, History.CHANGED, after, change);
            s.emit(EnrollmentEvent.Type.DEACTIVATED, before, after);
            return after;
        });
    }

    @Override
    public Enrollment changeMode(User user, CourseKey course, CourseMode mode) {
        Checks.savedUserId(user);
        Checks.notNull(course, "course");
        Checks.notNull(mode, "mode");
        Enrollment current = scope.read("changeMode", s -> select(s, user, course))
                .orElseThrow(() -> notFound("changeMode", user, course));
        if (current.mode() == mode) {
            return current;
        }
        return scope.write("changeMode", true, s -> {
            Enrollment before = selectForUpdate(s, user, course)
                    .orElseThrow(() -> notFound("changeMode", user, course));
            if (before.mode() == mode) {
                return before;
            }
            Enrollment after = update(s, before, before.isActive(), mode);
            History.write(s, History.CHANGED, after, change);
            s.emit(EnrollmentEvent.Type.MODE_CHANGED, before, after);
            return after;
        });
    }

    /**
     * Creates the (inactive, audit) row unless it exists, in the session's transaction; writes history and an
     * event only when it created the row.
     */
    static Enrollment createIfAbsent(Session s, User user, CourseKey course, Change change) {
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            Long id = insert(s, user, course, false, CourseMode.AUDIT, now);
            if (id != null) {
                Enrollment created = VALUES.enrollment(id, user, course, CourseMode.AUDIT, false, now);
                History.write(s, History.CREATED, created, change);
                s.emit(EnrollmentEvent.Type.CREATED, null, created);
                return created;
            }
            // The row exists. A plain read sees it unless this transaction's snapshot is older than the row (only
            // inside a caller's transaction); then a locking read gets the latest committed version.
            Optional<Enrollment> existing = select(s, user, course);
            if (existing.isEmpty() && s.db().dialect().isMySqlFamily()) {
                existing = selectForUpdate(s, user, course);
            }
            if (existing.isPresent()) {
                return existing.get();
            }
            // It was deleted before we could read it: insert again.
        }
        throw vanished("getOrCreate");
    }

    /**
     * Makes the row active in the mode, in the session's transaction: insert it if absent, else lock it and change
     * what differs. Writes history and an event only for a change.
     *
     * @param exists whether a read saw the row: then lock it at once instead of trying to insert; set when an
     *               insert finds the row, so that a restarted transaction goes straight to the lock
     */
    static Enrollment enrollIn(Session s, User user, CourseKey course, CourseMode mode, Change change,
                               AtomicBoolean exists) {
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            if (!exists.get()) {
                Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                Long id = insert(s, user, course, true, mode, now);
                if (id != null) {
                    Enrollment created = VALUES.enrollment(id, user, course, mode, true, now);
                    History.write(s, History.CREATED, created, change);
                    s.emit(EnrollmentEvent.Type.CREATED, null, created);
                    return created;
                }
                exists.set(true);
                if (s.restartable() && s.db().dialect().isMySqlFamily()) {
                    // InnoDB: the insert that met the row holds a shared lock on it; upgrading it to the exclusive
                    // lock below deadlocks with every other caller doing the same. Roll back (dropping the shared
                    // lock) and start over: the new transaction locks the row exclusively at once.
                    throw s.restart();
                }
            }
            // Lock the existing row (a record lock: it exists, so no gap lock), then change what differs.
            Optional<Enrollment> locked = selectForUpdate(s, user, course);
            if (locked.isPresent()) {
                Enrollment before = locked.get();
                if (before.isActive() && before.mode() == mode) {
                    return before;
                }
                Enrollment after = update(s, before, true, mode);
                History.write(s, History.CHANGED, after, change);
                s.emit(before.isActive() ? EnrollmentEvent.Type.MODE_CHANGED : EnrollmentEvent.Type.ACTIVATED,
                        before, after);
                return after;
            }
            exists.set(false);   // deleted in between: insert it
        }
        throw vanished("enroll");
    }

    @Override
    public BulkResult enrollAll(CourseKey course, CourseMode mode, Iterable<User> users) {
        return enrollAll(course, mode, users, totals -> { });
    }

    @Override
    public BulkResult enrollAll(CourseKey course, CourseMode mode, Stream<User> users) {
        Checks.notNull(users, "users");
        return enrollAll(course, mode, users::iterator, totals -> { });
    }

    @Override
    public BulkResult enrollAll(CourseKey course, CourseMode mode, Iterable<User> users,
                                Consumer<BulkResult> progress) {
        Checks.notNull(course, "course");
        Checks.notNull(mode, "mode");
        Checks.notNull(users, "users");
        Checks.notNull(progress, "progress");
        int batchSize = scope.db().batchSize();
        BulkResult totals = new BulkResult(0, 0, 0);
        Iterator<User> it = users.iterator();
        Map<Long, User> batch = new LinkedHashMap<>();
        while (it.hasNext()) {
            batch.clear();
            while (it.hasNext() && batch.size() < batchSize) {
                User u = it.next();
                if (u == null) {
                    throw new InvalidInputException("users", "must not contain null");
                }
                if (!u.isSaved()) {
                    throw new InvalidInputException("users", "must all be saved (an unsaved user was found)");
                }
                batch.putIfAbsent(u.id().getAsLong(), u);
            }
            List<User> chunk = List.copyOf(batch.values());
            BulkResult done = scope.write("enrollAll", true, s -> enrollBatch(s, course, mode, chunk, change));
            totals = new BulkResult(totals.created() + done.created(),
                    totals.alreadyEnrolled() + done.alreadyEnrolled(), totals.reactivated() + done.reactivated());
            progress.accept(totals);
        }
        return totals;
    }

    /**
     * One batch of enrollAll, in one transaction: read the batch's rows; insert the missing ones in one
     * multi-row insert-ignore; lock and activate the inactive ones; write their history in one insert each.
     */
    private static BulkResult enrollBatch(Session s, CourseKey course, CourseMode mode, List<User> users,
                                          Change change) {
        if (s.db().dialect() != Dialect.H2) {
            return BulkEnrollment.enroll(s, course, mode, users, change);   // server-side history, no pre-read
        }
        Map<Long, User> byId = new LinkedHashMap<>();
        users.forEach(u -> byId.put(u.id().getAsLong(), u));
        String courseId = course.toString();
        Map<Long, Record6<Long, Long, Boolean, String, LocalDateTime, String>> existing = new HashMap<>();
        s.dsl().select(E.ID, E.USER_ID, E.IS_ACTIVE, E.MODE, E.CREATED, E.COURSE_ID)
                .from(E)
                .where(E.COURSE_ID.eq(courseId).and(E.USER_ID.in(byId.keySet())))
                .forEach(r -> existing.put(r.value2(), r));

        List<Enrollment> created = new ArrayList<>();
        List<User> missing = users.stream().filter(u -> !existing.containsKey(u.id().getAsLong()))
                .collect(Collectors.toList());
        if (!missing.isEmpty()) {
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            Map<Long, Long> ids = insertAll(s, course, mode, missing, now);
            if (ids.size() < missing.size()) {
                if (s.restartable()) {
                    // Another writer created some of these rows since the read: start the batch over, so they
                    // are read as existing and counted and activated exactly.
                    throw s.restart();
                }
                // A caller's transaction cannot start over: lock the rows others created and treat them as
                // existing ones (activated if inactive).
                List<Long> raced = missing.stream().map(u -> u.id().getAsLong()).filter(id -> !ids.containsKey(id))
                        .collect(Collectors.toList());
                s.dsl().select(E.ID, E.USER_ID, E.IS_ACTIVE, E.MODE, E.CREATED, E.COURSE_ID)
                        .from(E)
                        .where(E.COURSE_ID.eq(courseId).and(E.USER_ID.in(raced)))
                        .forUpdate()
                        .forEach(r -> existing.put(r.value2(), r));
            }
            for (User u : missing) {
                Long id = ids.get(u.id().getAsLong());
                if (id != null) {
                    created.add(VALUES.enrollment(id, u, course, mode, true, now));
                }
            }
        }

        List<Long> inactive = existing.values().stream().filter(r -> !r.value3()).map(r -> r.value1())
                .collect(Collectors.toList());
        List<Enrollment[]> reactivated = new ArrayList<>();
        if (!inactive.isEmpty()) {
            var locked = s.dsl().select(E.ID, E.USER_ID, E.IS_ACTIVE, E.MODE, E.CREATED, E.COURSE_ID)
                    .from(E).where(E.ID.in(inactive).and(E.IS_ACTIVE.isFalse())).forUpdate().fetch();
            if (!locked.isEmpty()) {
                s.dsl().update(E).set(E.IS_ACTIVE, true).set(E.MODE, mode.slug())
                        .where(E.ID.in(locked.map(r -> r.value1()))).execute();
            }
            for (var r : locked) {
                User u = byId.get(r.value2());
                CourseKey stored = Rows.stored(course, r.value6(), r.value1());
                CourseMode was = Rows.modeOrNull(r.value4(), r.value1());
                Enrollment before = VALUES.enrollment(r.value1(), u, stored, was == null ? mode : was,
                        false, Rows.instant(r.value5()));
                Enrollment after = VALUES.enrollment(r.value1(), u, stored, mode, true, before.created());
                reactivated.add(new Enrollment[] {before, after});
            }
        }
        History.writeAll(s, History.CREATED, created.stream().map(History.Row::of).collect(Collectors.toList()),
                change);
        History.writeAll(s, History.CHANGED, reactivated.stream().map(p -> History.Row.of(p[1]))
                .collect(Collectors.toList()), change);
        created.forEach(e -> s.emit(EnrollmentEvent.Type.CREATED, null, e));
        reactivated.forEach(p -> s.emit(EnrollmentEvent.Type.ACTIVATED, p[0], p[1]));
        long handled = created.size() + reactivated.size();
        return new BulkResult(created.size(), users.size() - handled, reactivated.size());
    }

    /**
     * Inserts active rows for the users, ignoring those that exist; returns user id to new row id for the rows it
     * inserted.
     */
    private static Map<Long, Long> insertAll(Session s, CourseKey course, CourseMode mode, List<User> users,
                                             Instant now) {
        Map<Long, Long> ids = new HashMap<>();
        String courseId = course.toString();
        Field<LocalDateTime> created = s.db().timestamp(now);
        Dialect dialect = s.db().dialect();
        if (dialect == Dialect.H2) {
            for (User u : users) {
                Long id = insert(s, u, course, true, mode, now);
                if (id != null) {
                    ids.put(u.id().getAsLong(), id);
                } else if (select(s, u, course).isEmpty()) {
                    // H2 reports every unique violation alike: only the user's own row in the course may stop it.
                    throw new DatabaseException("enrollAll", 1, "enrollAll failed and wrote nothing of its batch: "
                            + "a row was refused by a unique index other than (user_id, course_id)", null);
                }
            }
            return ids;
        }
        var insert = s.dsl().insertInto(E, E.COURSE_ID, E.CREATED, E.IS_ACTIVE, E.MODE, E.USER_ID);
        for (User u : users) {
            insert = insert.values(DSL.val(courseId, E.COURSE_ID), created, DSL.val(true, E.IS_ACTIVE),
                    DSL.val(mode.slug(), E.MODE), DSL.val(u.id().getAsLong(), E.USER_ID));
        }
        if (dialect == Dialect.POSTGRES) {
            insert.onConflict(E.USER_ID, E.COURSE_ID).doNothing().returningResult(E.ID, E.USER_ID)
                    .fetch().forEach(r -> ids.put(r.value2(), r.value1()));
            return ids;
        }
        int inserted = insert.onDuplicateKeyIgnore().execute();   // MySQL, MariaDB: one INSERT IGNORE
        if (inserted == 0) {
            return ids;
        }
        List<Long> userIds = users.stream().map(u -> u.id().getAsLong()).collect(Collectors.toList());
        var rows = s.dsl().select(E.ID, E.USER_ID, E.CREATED, E.IS_ACTIVE, E.MODE).from(E)
                .where(E.COURSE_ID.eq(courseId).and(E.USER_ID.in(userIds))).fetch();
        if (inserted == users.size()) {
            rows.forEach(r -> ids.put(r.value2(), r.value1()));
        } else {
            // Some rows were created by another writer meanwhile, and this is a caller's transaction that cannot
            // start over: ours are the active rows in our mode carrying our creation time.
            LocalDateTime ours = LocalDateTime.ofInstant(now, java.time.ZoneOffset.UTC);
            rows.stream().filter(r -> ours.equals(r.value3()) && r.value4() && mode.slug().equals(r.value5()))
                    .forEach(r -> ids.put(r.value2(), r.value1()));
        }
        return ids;
    }

    private static Long insert(Session s, User user, CourseKey course, boolean active, CourseMode mode, Instant now) {
        String rendered = s.db().statements().insertEnrollmentIgnore;
        if (rendered != null) {
            // MySQL/MariaDB: INSERT IGNORE rendered once; an ignored row returns no generated key.
            try (PreparedStatement ps = s.connection().prepareStatement(rendered,
                    java.sql.Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, course.toString());
                ps.setString(2, Database.mysqlText(now));
                ps.setBoolean(3, active);
                ps.setString(4, mode.slug());
                ps.setLong(5, user.id().getAsLong());
                if (ps.executeUpdate() == 0) {
                    return null;
                }
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new IllegalStateException("the database returned no id for an inserted enrollment");
                    }
                    return keys.getLong(1);
                }
            } catch (SQLException e) {
                throw new DataAccessException("insert enrollment", e);
            }
        }
        var insert = s.dsl().insertInto(E)
                .set(E.COURSE_ID, course.toString())
                .set(E.CREATED, s.db().timestamp(now))
                .set(E.IS_ACTIVE, active)
                .set(E.MODE, mode.slug())
                .set(E.USER_ID, user.id().getAsLong());
        return Inserts.ignoringDuplicate(s, insert, E.ID, E.USER_ID, E.COURSE_ID);
    }

    private static Enrollment update(Session s, Enrollment before, boolean active, CourseMode mode) {
        s.dsl().update(E).set(E.IS_ACTIVE, active).set(E.MODE, mode.slug()).where(E.ID.eq(before.id())).execute();
        return VALUES.enrollment(before.id(), before.user(), before.courseKey(), mode, active,
                before.created());
    }

    // ---- reads -------------------------------------------------------------------------------------------------

    @Override
    public Optional<Enrollment> find(User user, CourseKey course) {
        Checks.savedUserId(user);
        Checks.notNull(course, "course");
        return scope.read("find", s -> select(s, user, course));
    }

    @Override
    public boolean isEnrolled(User user, CourseKey course) {
        long userId = Checks.savedUserId(user);
        Checks.notNull(course, "course");
        return scope.read("isEnrolled", s -> {
            try (PreparedStatement ps = s.connection().prepareStatement(s.db().statements().isEnrolled)) {
                ps.setLong(1, userId);
                ps.setString(2, course.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException e) {
                throw new DataAccessException("isEnrolled", e);
            }
        });
    }

    @Override
    public List<Enrollment> forUser(User user) {
        long userId = Checks.savedUserId(user);
        return scope.read("forUser", s -> s.dsl()
                .select(E.ID, E.COURSE_ID, E.MODE, E.IS_ACTIVE, E.CREATED)
                .from(E)
                .where(E.USER_ID.eq(userId))
                .orderBy(E.ID)
                .fetch()
                .stream()
                .map(r -> {
                    CourseKey key = Rows.courseKeyOrNull(r.value2(), "student_courseenrollment", r.value1());
                    CourseMode mode = Rows.modeOrNull(r.value3(), r.value1());
                    return key == null || mode == null ? null : VALUES.enrollment(r.value1(), user, key,
                            mode, r.value4(), Rows.instant(r.value5()));
                })
                .filter(java.util.Objects::nonNull)
                .collect(Collectors.toList()));
    }

    @Override
    public Stream<Enrollment> forCourse(CourseKey course) {
        Checks.notNull(course, "course");
        String courseId = course.toString();
        return scope.stream("forCourse", dsl -> dsl
                        .select(E.ID, E.MODE, E.IS_ACTIVE, E.CREATED, U.ID, U.USERNAME, U.EMAIL, E.COURSE_ID)
                        .from(E)
                        .join(U).on(U.ID.eq(E.USER_ID))
                        .where(E.COURSE_ID.eq(courseId))
                        .orderBy(E.ID),
                (Record8<Long, String, Boolean, LocalDateTime, Long, String, String, String> r) -> VALUES
                        .enrollment(r.value1(), VALUES.savedUser(r.value5(), r.value6(), r.value7()),
                                Rows.stored(course, r.value8(), r.value1()), Rows.mode(r.value2(), r.value1()),
                                r.value3(), Rows.instant(r.value4())));
    }

    @Override
    public Stream<User> usersInCourse(CourseKey course, CourseFilter filter) {
        Checks.notNull(course, "course");
        Checks.notNull(filter, "filter");
        Condition where = E.COURSE_ID.eq(course.toString());
        if (!filter.includesInactive()) {
            where = where.and(E.IS_ACTIVE.isTrue());
        }
        if (!filter.modes().isEmpty()) {
            where = where.and(E.MODE.in(filter.modes().stream().map(CourseMode::slug).collect(Collectors.toList())));
        }
        Condition condition = where;
        return scope.stream("usersInCourse", dsl -> dsl
                        .select(U.ID, U.USERNAME, U.EMAIL)
                        .from(E)
                        .join(U).on(U.ID.eq(E.USER_ID))
                        .where(condition)
                        .orderBy(E.ID),
                UserStore::toUser);
    }

    @Override
    public Map<CourseMode, Long> countsByMode(CourseKey course) {
        Checks.notNull(course, "course");
        return scope.read("countsByMode", s -> {
            Map<CourseMode, Long> counts = new EnumMap<>(CourseMode.class);
            s.dsl().select(E.MODE, org.jooq.impl.DSL.count())
                    .from(E)
                    .where(E.COURSE_ID.eq(course.toString()).and(E.IS_ACTIVE.isTrue()))
                    .groupBy(E.MODE)
                    .forEach(r -> counts.merge(Rows.mode(r.value1(), 0), r.value2().longValue(), Long::sum));
            return counts;
        });
    }

    static Optional<Enrollment> select(Session s, User user, CourseKey course) {
        try (PreparedStatement ps = s.connection().prepareStatement(s.db().statements().selectEnrollment)) {
            ps.setLong(1, user.id().getAsLong());
            ps.setString(2, course.toString());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long id = rs.getLong(1);
                return Optional.of(VALUES.enrollment(id, user, Rows.stored(course, rs.getString(5), id),
                        Rows.mode(rs.getString(2), id), rs.getBoolean(3),
                        Rows.instant(rs.getObject(4, LocalDateTime.class))));
            }
        } catch (SQLException e) {
            throw new DataAccessException("select enrollment", e);
        }
    }

    static Optional<Enrollment> selectForUpdate(Session s, User user, CourseKey course) {
        return query(s, user, course).forUpdate().fetchOptional().map(r -> toEnrollment(r, user, course));
    }

    private static SelectConditionStep<Record5<Long, String, Boolean, LocalDateTime, String>> query(Session s,
                                                                                                   User user,
                                                                                                   CourseKey course) {
        return s.dsl()
                .select(E.ID, E.MODE, E.IS_ACTIVE, E.CREATED, E.COURSE_ID)
                .from(E)
                .where(E.USER_ID.eq(user.id().getAsLong()).and(E.COURSE_ID.eq(course.toString())));
    }

    private static Enrollment toEnrollment(Record5<Long, String, Boolean, LocalDateTime, String> r, User user,
                                           CourseKey course) {
        return VALUES.enrollment(r.value1(), user, Rows.stored(course, r.value5(), r.value1()),
                Rows.mode(r.value2(), r.value1()), r.value3(), Rows.instant(r.value4()));
    }

    private static NotFoundException notFound(String operation, User user, CourseKey course) {
        return new NotFoundException(operation + ": user " + user.id().getAsLong() + " has no enrollment in "
                + course);
    }

    private static DatabaseException vanished(String operation) {
        return new DatabaseException(operation, MAX_ROUNDS, operation + " failed: the enrollment row was deleted "
                + "by another writer each time it was read, " + MAX_ROUNDS + " times", null);
    }
}
