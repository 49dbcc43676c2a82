package dev.enrollment;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer's log gets no jOOQ logo, tip of the day or version warning: checked in a fresh JVM (jOOQ prints each
 * once per JVM) that sets none of jOOQ's switches, on H2 and on MariaDB.
 */
class QuietLogsTest {
    /** The fresh JVM's work: build, migrate, enroll, on the URL given. */
    public static final class Consumer {
        public static void main(String[] args) {
            try (Enrollments e = Enrollments.builder().jdbcUrl(args[0], args[1], "").build()) {
                e.migrate();
                User u = e.users().save(User.unsaved("quiet", "quiet@example.com"));
                e.enrollments().enroll(u, CourseKey.parse("course-v1:edX+Quiet+2026"), CourseMode.AUDIT);
                e.enrollments().forUser(u);
            }
            System.out.println("consumer done");
        }
    }

    @Test
    void h2() throws Exception {
        assertQuiet(run("jdbc:h2:mem:quiet;DB_CLOSE_DELAY=-1", "sa"));
    }

    @Test
    void mariaDb() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB)) {
            assertQuiet(run(db.url(), db.user()));
        }
    }

    @Test
    void anApplicationsOwnChoiceIsKept() throws Exception {
        String out = run("jdbc:h2:mem:loud;DB_CLOSE_DELAY=-1", "sa", "-Dorg.jooq.no-logo=false");
        assertThat(out).contains("consumer done").contains("@@@@@@@@@@@@@@@@");
    }

    private static void assertQuiet(String out) {
        assertThat(out).contains("consumer done");
        assertThat(out).doesNotContain("@@@@@@@@@@@@@@@@").doesNotContainIgnoringCase("tip of the day")
                .doesNotContain("Version mismatch").doesNotContainIgnoringCase("thank you for using jOOQ");
    }

    private static String run(String url, String user, String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Consumer.class.getName());
        command.add(url);
        command.add(user);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }
}
