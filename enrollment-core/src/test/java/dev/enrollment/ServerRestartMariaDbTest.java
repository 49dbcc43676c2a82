package dev.enrollment;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * MariaDB is stopped and started during a run, by the test itself: calls during the outage fail fast with a clear
 * error, and calls after it succeed on the same Enrollments. It restarts the server other tests use, so it runs
 * alone, in the surefire execution "server-restart" after every other test of this module.
 */
@Tag("server-restart")
class ServerRestartMariaDbTest {

    @Test
    void callsDuringAnOutageFailFastAndCallsAfterItSucceedOnTheSameEnrollments() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB, 1);
             Enrollments e = Enrollments.builder().jdbcUrl(db.url(), db.user(), db.password())
                     .maximumPoolSize(4).connectionTimeout(Duration.ofSeconds(1)).build()) {
            e.migrate();
            User u = e.users().save(User.unsaved("survivor", ""));
            CourseKey c = CourseKey.parse("course-v1:Restart+Server+1");
            e.enrollments().getOrCreate(u, c);

            try (Connection conn = db.dataSource().getConnection(); var st = conn.createStatement();
                 var rs = st.executeQuery("SELECT @@pid_file")) {
                rs.next();
                assertThat(java.nio.file.Path.of(rs.getString(1)).toAbsolutePath())
                        .as("the pidfile the restart uses is the running server's own")
                        .isEqualTo(java.nio.file.Path.of(defaultPidFile()).toAbsolutePath());
            }
            stopServer();
            try {
                for (int i = 0; i < 3; i++) {
                    long start = System.nanoTime();
                    Throwable thrown = catchThrowable(() -> e.enrollments().enroll(u, c, CourseMode.VERIFIED));
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

                    assertThat(thrown).isInstanceOf(DatabaseException.class).hasMessageContaining("enroll failed");
                    assertThat(thrown.getCause()).isInstanceOf(java.sql.SQLException.class);
                    assertThat(millis).as("fails fast, within the pool's timeout and a margin").isLessThan(10_000);
                }
                Throwable fromPool = catchThrowable(() -> e.enrollments().find(u, c));
                assertThat(fromPool).isInstanceOf(DatabaseException.class)
                        .hasMessageContaining("no database connection within the timeout")
                        .hasMessageContaining("1000 ms connection timeout")
                        .hasMessageContaining("unreachable");
            } finally {
                startServer();
            }

            Enrollment after = null;
            for (int i = 0; i < 60 && after == null; i++) {
                try {
                    after = e.enrollments().enroll(u, c, CourseMode.VERIFIED);
                } catch (DatabaseException stillComingBack) {
                    Thread.sleep(500);
                }
            }
            assertThat(after).as("served again on the same Enrollments, no restart of the application").isNotNull();
            assertThat(after.isActive()).isTrue();
            assertThat(e.enrollments().isEnrolled(u, c)).isTrue();
        }
    }

    private static void stopServer() throws Exception {
        int code = run("mysqladmin", "--protocol=tcp", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "shutdown");
        Assumptions.assumeTrue(code == 0 || ci(), "cannot stop MariaDB here (not root?): skipped outside CI");
        assertThat(code).as("mysqladmin shutdown").isZero();
        for (int i = 0; i < 120 && reachable(); i++) {
            Thread.sleep(250);
        }
        assertThat(reachable()).as("MariaDB stopped").isFalse();
    }

    /**
     * Starts MariaDB as .ci/run does, by the default server's pidfile (a Galera node running the same executable is
     * not taken for it), and waits until it answers.
     */
    private static void startServer() throws Exception {
        run("start-stop-daemon", "--start", "--oknodo", "--background", "--pidfile", defaultPidFile(),
                "--exec", "/usr/sbin/mariadbd");
        for (int i = 0; i < 240 && !reachable(); i++) {
            Thread.sleep(250);
        }
        assertThat(reachable()).as("MariaDB is back within 60 s").isTrue();
    }

    /** The pid-file of the server that /etc/mysql configures (the one on 3306), as mariadbd reads its defaults. */
    static String defaultPidFile() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/sbin/mariadbd", "--print-defaults").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        String pidFile = "/run/mysqld/mysqld.pid";
        for (String arg : out.split("\\s+")) {
            if (arg.startsWith("--pid-file=")) {
                pidFile = arg.substring("--pid-file=".length());
            }
        }
        return pidFile;
    }

    private static boolean reachable() {
        try (Connection c = java.sql.DriverManager.getConnection(
                "jdbc:mysql://127.0.0.1:3306/?useSSL=false&connectTimeout=1000", "root", "")) {
            return c.isValid(2);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PATH", System.getenv("PATH") + ":/usr/sbin:/sbin:/usr/bin:/bin");
        Process p = pb.start();
        p.getInputStream().transferTo(System.out);
        return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    private static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
