package dev.enrollment.internal;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.jdbc.JdbcConnection;
import dev.enrollment.Enrollments;
import dev.enrollment.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The library's own pool on MariaDB: the driver keeps enrollAll's multi-row insert parsed at every batch size. */
class OwnedPoolMariaDbTest {
    @Test
    void theDriverCachesEnrollAllsLargestStatement() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB, 1);
             OwnedPool pool = OwnedPool.create(db.url(), db.user(), db.password(), 1, Duration.ofSeconds(10));
             Connection c = pool.dataSource().getConnection()) {
            PropertySet driver = c.unwrap(JdbcConnection.class).getPropertySet();
            assertThat(driver.getBooleanProperty(PropertyKey.cachePrepStmts).getValue()).isTrue();
            int limit = driver.getIntegerProperty(PropertyKey.prepStmtCacheSqlLimit).getValue();
            assertThat(limit).isEqualTo(OwnedPool.PREPARED_TEXT_LIMIT);
            String largest = BulkStatements.insertValuesSql(Dialect.MARIADB, Enrollments.MAX_BATCH_SIZE,
                    Enrollments.MAX_BATCH_SIZE);
            assertThat(largest.length()).isLessThan(limit);
        }
    }
}
