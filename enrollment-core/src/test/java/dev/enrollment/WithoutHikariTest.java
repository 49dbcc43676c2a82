package dev.enrollment;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A caller that gives its own DataSource needs no HikariCP: run by its own surefire execution with HikariCP taken
 * off the class path (enrollment-core/pom.xml, "without-hikari").
 */
@Tag("without-hikari")
class WithoutHikariTest {
    @Test
    void aCallersDataSourceWorksWithHikariCpOffTheClassPath() {
        assertThatThrownBy(() -> Class.forName("com.zaxxer.hikari.HikariDataSource"))
                .as("this execution runs without HikariCP").isInstanceOf(ClassNotFoundException.class);
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:nohikari;DB_CLOSE_DELAY=-1");
        try (Enrollments e = Enrollments.builder().dataSource(ds).build()) {
            e.migrate();
            CourseKey course = CourseKey.parse("course-v1:No+Hikari+1");
            Enrollment en = e.enrollments().enroll(User.unsaved("plain", ""), course, CourseMode.AUDIT);
            assertThat(e.enrollments().isEnrolled(en.user(), course)).isTrue();
        }
        assertThatThrownBy(() -> Enrollments.builder().jdbcUrl("jdbc:h2:mem:x", "sa", "").build())
                .isInstanceOf(DatabaseException.class).hasMessageContaining("HikariCP is not on the class path");
    }
}
