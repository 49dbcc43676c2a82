package dev.enrollment;

import dev.enrollment.internal.Dialect;
import dev.enrollment.internal.Migrator;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an Open edX database needs of the library, on every dialect: Open edX's history table, enroll of unsaved
 * users, a taken email, all-or-nothing deletes and sweeps beside foreign keys of other tables, migrate() on a schema
 * that is not the library's, rows the library cannot type. One fresh database per test. (Adoption from Open edX's
 * real DDL is {@link OpenEdxAdoptionMariaDbTest}.)
 */
abstract class OpenEdxContract {
    TestDatabase db;
    final RecordingListener events = new RecordingListener();

    abstract TestDatabase.Kind kind();

    @BeforeEach
    void open() {
        db = TestDatabase.create(kind(), 4);
    }

    @AfterEach
    void close() {
        db.close();
    }

    Enrollments build() {
        return Enrollments.builder().dataSource(db.dataSource()).batchSize(3).listener(events).build();
    }

    Flyway flywayTo(String version) {
        Dialect dialect = switch (kind()) {
            case H2 -> Dialect.H2;
            case MARIADB -> Dialect.MARIADB;
            case POSTGRES -> Dialect.POSTGRES;
        };
        return Flyway.configure().configuration(Migrator.flyway(db.dataSource(), dialect).getConfiguration())
                .target(version).load();
    }

    // ---- 1. the history table ---------------------------------------------------------------------------------

    @Test
    void v3MovesEveryHistoryRowToOpenEdxsTableWithTimeOrderedUuidKeys() throws Exception {
        flywayTo("2").migrate();
        db.execute("INSERT INTO student_historicalcourseenrollment (id, created, is_active, mode, history_date, "
                + "history_change_reason, history_type, course_id, history_user_id, user_id) VALUES "
                + "(7, TIMESTAMP '2020-01-01 10:00:00', TRUE, 'audit', TIMESTAMP '2020-01-01 10:00:00', NULL, '+', "
                + "'course-v1:A+B+C', NULL, 3), "
                + "(7, TIMESTAMP '2020-01-01 10:00:00', FALSE, 'audit', TIMESTAMP '2021-06-01 12:30:00.5', 'refund', "
                + "'~', 'course-v1:A+B+C', 9, 3)");

        try (Enrollments e = build()) {
            e.migrate();
        }

        assertThat(tableExists("student_historicalcourseenrollment")).isFalse();
        List<String[]> rows = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT history_id, history_type, history_change_reason, "
                     + "history_user_id, user_id, is_active FROM student_courseenrollment_history ORDER BY history_id")) {
            while (rs.next()) {
                rows.add(new String[] {rs.getString(1).replace("-", ""), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6)});
            }
        }
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)[0]).matches("[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}");
        assertThat(rows.get(0)[1]).isEqualTo("+");   // ordered by the new keys as by the old ones
        assertThat(rows.get(1)[1]).isEqualTo("~");
        assertThat(rows.get(1)[2]).isEqualTo("refund");
        assertThat(rows.get(1)[3]).isEqualTo("9");
        // the time-ordered part is the row's history_date
        assertThat(Long.parseLong(rows.get(0)[0].substring(0, 12), 16)).isEqualTo(1577872800000L);
        assertThat(Long.parseLong(rows.get(1)[0].substring(0, 12), 16)).isEqualTo(1622550600500L);
    }

    @Test
    void everyChangeWritesOpenEdxsHistoryTable() throws Exception {
        try (Enrollments e = build()) {
            e.migrate();
            User u = e.users().save(User.unsaved("hist", "hist@example.com"));
            CourseKey course = CourseKey.parse("course-v1:Hist+H+1");
            e.enrollments().enroll(u, course, CourseMode.VERIFIED);
            e.enrollments().unenroll(u, course);
            e.enrollments().enrollAll(CourseKey.parse("course-v1:Hist+H+2"), CourseMode.AUDIT, List.of(u));
        }
        List<String> types = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT history_id, history_type FROM student_courseenrollment_history "
                     + "ORDER BY history_id")) {
            while (rs.next()) {
                assertThat(rs.getString(1).replace("-", "")).matches("[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}");
                types.add(rs.getString(2));
            }
        }
        assertThat(types).containsExactly("+", "~", "+");
        assertThat(tableExists("student_historicalcourseenrollment")).isFalse();
    }

    boolean tableExists(String table) throws Exception {
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), db.identifier(table), null)) {
            return rs.next();
        }
    }
}
