package dev.enrollment.spring.boot;

import dev.enrollment.Enrollments;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDependsOnDatabaseInitializationDetector;

import java.util.Set;

/**
 * Makes every {@link Enrollments} bean wait for the application's database initializers (Flyway's
 * {@code FlywayMigrationInitializer}, SQL scripts), so the library's start-up migration runs after them, as
 * Boot's jOOQ {@code DSLContext} does. Registered in {@code META-INF/spring.factories}.
 */
class EnrollmentsDependsOnDatabaseInitializationDetector
        extends AbstractBeansOfTypeDependsOnDatabaseInitializationDetector {
    @Override
    protected Set<Class<?>> getDependsOnDatabaseInitializationBeanTypes() {
        return Set.of(Enrollments.class);
    }
}
