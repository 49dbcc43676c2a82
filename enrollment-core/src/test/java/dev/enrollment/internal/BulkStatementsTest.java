package dev.enrollment.internal;

import dev.enrollment.Enrollments;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** enrollAll's statements: every value a bind parameter, and texts the driver's cache keeps parsed. */
class BulkStatementsTest {
    /** mysql-connector-j's default {@code prepStmtCacheSqlLimit}: what a pool has unless tuned. */
    private static final int DRIVER_DEFAULT_LIMIT = 2048;

    @Test
    void theMultiRowInsertFitsTheOwnedPoolsCacheAtEveryAllowedBatchSize() {
        int rows = Enrollments.MAX_BATCH_SIZE;
        String largest = BulkStatements.insertValuesSql(Dialect.MARIADB, rows, rows);
        assertThat(largest).startsWith("insert ignore into student_courseenrollment (course_id, created, is_active, "
                + "mode, user_id) values (?, cast(? as datetime(6)), ?, ?, ?), ");
        assertThat(largest.chars().filter(ch -> ch == '?').count()).isEqualTo(5L * rows);
        assertThat(largest.length()).as("longer than the driver's default: the reason the owned pool raises it")
                .isGreaterThan(DRIVER_DEFAULT_LIMIT).isLessThan(OwnedPool.PREPARED_TEXT_LIMIT);
        assertThat(BulkStatements.insertValuesSql(Dialect.MARIADB, rows, rows)).as("kept once rendered")
                .isSameAs(largest);
        assertThat(BulkStatements.insertValuesSql(Dialect.MARIADB, 3, rows).chars().filter(ch -> ch == '?').count())
                .as("a shorter last batch").isEqualTo(15);
    }

    @Test
    void theConstantStatementsFitTheDriversDefaultCache() {
        for (Dialect d : new Dialect[] {Dialect.MYSQL, Dialect.MARIADB, Dialect.POSTGRES}) {
            assertThat(BulkStatements.historySql(d).length()).isLessThan(DRIVER_DEFAULT_LIMIT);
        }
        assertThat(BulkStatements.insertArraySql(Dialect.POSTGRES))
                .contains("from unnest(cast(? as bigint[]))")
                .endsWith("on conflict (user_id, course_id) do nothing")
                .hasSizeLessThan(DRIVER_DEFAULT_LIMIT);
    }
}
