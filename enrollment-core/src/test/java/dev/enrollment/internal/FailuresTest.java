package dev.enrollment.internal;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class FailuresTest {
    @Test
    void retriesDeadlocksLockTimeoutsAndSerializationFailuresOfEveryDialect() {
        assertThat(Failures.isRetryable(new SQLException("deadlock", "40001", 1213))).isTrue();
        assertThat(Failures.isRetryable(new SQLException("lock wait", "HY000", 1205))).isTrue();
        assertThat(Failures.isRetryable(new SQLException("deadlock", "40P01"))).isTrue();
        assertThat(Failures.isRetryable(new SQLException("lock_not_available", "55P03"))).isTrue();
        assertThat(Failures.isRetryable(new SQLException("Concurrent update", "HY000", 90131))).isTrue();
        assertThat(Failures.isRetryable(new SQLException("Timeout trying to lock table", "HYT00", 50200))).isTrue();
        assertThat(Failures.isRetryable(new SQLException("duplicate", "23000", 1062))).isFalse();
        assertThat(Failures.isRetryable(new SQLException("syntax", "42000", 1064))).isFalse();
    }

    @Test
    void namesTheTableWhoseForeignKeyRefusedADeleteOnEveryDialect() {
        assertThat(Failures.referencingTable(new SQLException("Cannot delete or update a parent row: a foreign key "
                + "constraint fails (`enr_1`.`auth_userprofile`, CONSTRAINT `fk` FOREIGN KEY (`user_id`) REFERENCES "
                + "`auth_user` (`id`))", "23000", 1451))).isEqualTo("auth_userprofile");
        assertThat(Failures.referencingTable(new SQLException("ERROR: update or delete on table \"auth_user\" "
                + "violates foreign key constraint \"fk\" on table \"auth_userprofile\"", "23503")))
                .isEqualTo("auth_userprofile");
        assertThat(Failures.referencingTable(new SQLException("Referential integrity constraint violation: "
                + "\"AUTH_USERPROFILE_USER_FK: PUBLIC.AUTH_USERPROFILE FOREIGN KEY(USER_ID) REFERENCES "
                + "PUBLIC.AUTH_USER(ID) (CAST(1 AS BIGINT))\"", "23503"))).isEqualTo("auth_userprofile");
    }
}
