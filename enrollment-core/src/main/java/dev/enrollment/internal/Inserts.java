package dev.enrollment.internal;

import org.jooq.InsertSetMoreStep;
import org.jooq.Record;
import org.jooq.TableField;
import org.jooq.exception.DataAccessException;

/**
 * Race-safe "insert unless the unique key exists", per dialect; never a duplicate-key error, and never a silent
 * no-op for anything but the expected duplicate: MySQL's {@code INSERT IGNORE} would also turn a truncated or
 * unconvertible value, or a duplicate on another unique index, into a warning, so it is not used here.
 */
final class Inserts {
    private Inserts() {
    }

    /**
     * Inserts the row unless one with the same unique key exists.
     *
     * @param s      the session
     * @param insert the insert, with every column set
     * @param id     the identity column
     * @param conflict where to put the unique violation that refused the row (MySQL and H2), or null
     * @param key    the unique key's columns
     * @param <R>    the record type
     * @return the new row's id, or null when a row with that key exists (on MySQL and H2, when a unique index
     *         refused the row: the caller reads it by its key and, if it finds none, knows another index did)
     */
    @SafeVarargs
    static <R extends Record> Long ignoringDuplicate(Session s, InsertSetMoreStep<R> insert, TableField<R, Long> id,
                                                     java.sql.SQLException[] conflict, TableField<R, ?>... key) {
        if (s.db().dialect() == Dialect.POSTGRES) {
            // ON CONFLICT (key) DO NOTHING: only that key's conflict is ignored, and the transaction stays usable.
            return insert.onConflict(key).doNothing().returningResult(id).fetchOptional(id).orElse(null);
        }
        // MySQL/MariaDB and H2: a plain insert, whose duplicate-key error rolls back only the statement there.
        try {
            return insert.returningResult(id).fetchOne(id);
        } catch (DataAccessException e) {
            if (Failures.isUniqueViolation(e)) {
                if (conflict != null) {
                    conflict[0] = Failures.sqlException(e);
                }
                return null;
            }
            throw e;
        }
    }
}
