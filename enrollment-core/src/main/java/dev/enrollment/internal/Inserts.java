package dev.enrollment.internal;

import org.jooq.InsertSetMoreStep;
import org.jooq.Record;
import org.jooq.TableField;
import org.jooq.exception.DataAccessException;

/** Race-safe "insert unless the unique key exists", per dialect; never a duplicate-key error. */
final class Inserts {
    private Inserts() {
    }

    /**
     * Inserts the row unless one with the same unique key exists.
     *
     * @param s      the session
     * @param insert the insert, with every column set
     * @param id     the identity column
     * @param key    the unique key's columns
     * @param <R>    the record type
     * @return the new row's id, or null when a row with that key exists
     */
    @SafeVarargs
    static <R extends Record> Long ignoringDuplicate(Session s, InsertSetMoreStep<R> insert, TableField<R, Long> id,
                                                     TableField<R, ?>... key) {
        switch (s.db().dialect()) {
            case MYSQL:
            case MARIADB:
            case POSTGRES:
                // INSERT IGNORE / ON CONFLICT DO NOTHING: an existing row is not an error, and no id comes back.
                return insert.onConflict(key).doNothing().returningResult(id).fetchOptional(r -> r.value1())
                        .orElse(null);
            default:
                // H2 has no insert-ignore that is safe under concurrency; a failed statement leaves the
                // transaction usable there, so insert and treat the unique violation as "exists".
                try {
                    return insert.returningResult(id).fetchOne(r -> r.value1());
                } catch (DataAccessException e) {
                    if (Failures.isUniqueViolation(e)) {
                        return null;
                    }
                    throw e;
                }
        }
    }
}
