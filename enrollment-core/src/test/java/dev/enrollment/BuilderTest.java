package dev.enrollment;

import dev.enrollment.internal.JdbcUrls;
import org.junit.jupiter.api.Test;

import static dev.enrollment.ValuesTest.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Configuration is validated in build(); messages name the builder method and never the password. */
class BuilderTest {

    @Test
    void aDataSourceOrAUrlIsRequired() {
        assertInvalid(() -> Enrollments.builder().build(), "dataSource", "Builder.jdbcUrl");
    }

    @Test
    void dataSourceAndUrlAreExclusive() {
        try (TestDatabase h2 = TestDatabase.create(TestDatabase.Kind.H2)) {
            assertInvalid(() -> Enrollments.builder().dataSource(h2.dataSource()).jdbcUrl(h2.url(), "sa", "").build(),
                    "dataSource", "exclusive");
        }
    }

    @Test
    void theUrlIsChecked() {
        assertInvalid(() -> Enrollments.builder().jdbcUrl(" ", "sa", "").build(), "jdbcUrl", "must not be empty");
        assertInvalid(() -> Enrollments.builder().jdbcUrl("mysql://localhost/x", "sa", "").build(), "jdbcUrl",
                "must start with jdbc:");
    }

    @Test
    void anUnreachableServerNamesHostAndPortButNotThePassword() {
        Throwable thrown = catchThrowable(() -> Enrollments.builder()
                .jdbcUrl("jdbc:mysql://127.0.0.1:1/app?connectTimeout=2000&password=urlSecret42", "root", "s3cretPw!")
                .build());
        assertThat(thrown).isInstanceOf(DatabaseException.class)
                .hasMessageContaining("127.0.0.1:1")
                .hasMessageNotContaining("s3cretPw!")
                .hasMessageNotContaining("urlSecret42");
        assertThat(((DatabaseException) thrown).operation()).isEqualTo("build");
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(t.getMessage()).doesNotContain("s3cretPw!").doesNotContain("urlSecret42");
            assertThat(t.getClass().getName()).doesNotContain("com.zaxxer");
        }
    }

    @Test
    void theLibraryClosesOnlyThePoolItCreated() {
        try (TestDatabase h2 = TestDatabase.create(TestDatabase.Kind.H2)) {
            Enrollments e = h2.enrollments();
            e.close();
            assertThat(h2.queryLong("SELECT 1")).isEqualTo(1);   // the caller's pool still works
        }
    }

    @Test
    void passwordsAreRedactedFromUrls() {
        assertThat(JdbcUrls.redact("jdbc:mysql://h:3306/db?user=u&password=secret&x=1"))
                .isEqualTo("jdbc:mysql://h:3306/db?user=u&password=***&x=1");
        assertThat(JdbcUrls.redact("jdbc:postgresql://u:secret@h/db")).isEqualTo("jdbc:postgresql://u:***@h/db");
        assertThat(JdbcUrls.redact("jdbc:h2:mem:x;PASSWORD=secret;MODE=MySQL"))
                .isEqualTo("jdbc:h2:mem:x;PASSWORD=***;MODE=MySQL");
        assertThat(JdbcUrls.hostAndPort("jdbc:mysql://u:p@db.example:3307/app?x")).isEqualTo("db.example:3307");
        assertThat(JdbcUrls.scrub("Access denied using hunter2", "hunter2")).isEqualTo("Access denied using ***");
        // passwords holding the characters that ended a match before: ',' ')' '@' '?' ';'
        assertThat(JdbcUrls.redact("jdbc:mysql://u:pa,ss)w@rd;?x@db:3306/app?password=a,b)c&y=1"))
                .isEqualTo("jdbc:mysql://u:***@db:3306/app?password=***&y=1")
                .doesNotContain("pa,ss").doesNotContain("rd;").doesNotContain("b)c");
        assertThat(JdbcUrls.hostAndPort("jdbc:mysql://u:pa,ss)w@rd@db:3306/app")).isEqualTo("db:3306");
        assertThat(JdbcUrls.redact("jdbc:mysql://(host=h,port=3306,password=x,y)/db")).doesNotContain("x,y");
    }

    @Test
    void migrateAndAdoptTurnAPoolsOwnExceptionIntoTheLibrarys() {
        try (TestDatabase h2 = TestDatabase.create(TestDatabase.Kind.H2)) {
            javax.sql.DataSource broken = new javax.sql.DataSource() {
                @Override
                public java.sql.Connection getConnection() {
                    throw new IllegalStateException("pool is shut down");   // as a closed pool throws
                }

                @Override
                public java.sql.Connection getConnection(String u, String p) {
                    return getConnection();
                }

                @Override
                public java.io.PrintWriter getLogWriter() {
                    return null;
                }

                @Override
                public void setLogWriter(java.io.PrintWriter out) {
                }

                @Override
                public void setLoginTimeout(int seconds) {
                }

                @Override
                public int getLoginTimeout() {
                    return 0;
                }

                @Override
                public java.util.logging.Logger getParentLogger() {
                    return null;
                }

                @Override
                public <T> T unwrap(Class<T> iface) {
                    return null;
                }

                @Override
                public boolean isWrapperFor(Class<?> iface) {
                    return false;
                }
            };
            try (Enrollments e = Enrollments.builder().dataSource(h2.dataSource()).migrationDataSource(broken)
                    .build()) {
                assertThat(catchThrowable(e::migrate)).isInstanceOf(DatabaseException.class)
                        .hasMessageContaining("migrate failed");
                assertThat(catchThrowable(e::adopt)).isInstanceOf(DatabaseException.class)
                        .hasMessageContaining("adopt failed");
            }
        }
    }

    @Test
    void noPasswordInAnyMessageOrCauseWhenItHoldsCommasParenthesesOrAts() {
        String url = "jdbc:mysql://alice:Pw,x)9@secret@127.0.0.1:1/app?connectTimeout=500&password=Q,r)7s";
        Throwable thrown = catchThrowable(() -> Enrollments.builder().jdbcUrl(url, "alice", "Pw,x)9@secret")
                .connectionTimeout(java.time.Duration.ofMillis(500)).build());
        assertThat(thrown).isInstanceOf(DatabaseException.class);
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain("Pw,x").doesNotContain("9@secret")
                    .doesNotContain("Q,r").doesNotContain("r)7s");
        }
    }
}
