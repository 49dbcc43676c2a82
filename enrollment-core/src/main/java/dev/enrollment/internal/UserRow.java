package dev.enrollment.internal;

import dev.enrollment.User;
import dev.enrollment.schema.tables.AuthUser;
import org.jooq.Record;
import org.jooq.SelectField;

import java.util.List;

import static dev.enrollment.schema.Tables.AUTH_USER;

/**
 * The one mapper of {@code auth_user}: every read of users selects {@link #FIELDS} and maps them here, by field, into
 * a saved {@link User} of the database it was read from (checks that only ask whether a value is taken read less).
 */
final class UserRow {
    private static final Values.Factory VALUES = Values.factory();
    private static final AuthUser U = AUTH_USER;

    /** The columns every read of users selects. */
    static final List<SelectField<?>> FIELDS = List.of(U.ID, U.USERNAME, U.EMAIL);

    private UserRow() {
    }

    /**
     * Maps a record that holds {@link #FIELDS} (among others).
     *
     * @param db the database it was read from
     * @param r  the record
     * @return the saved user
     */
    static User of(Database db, Record r) {
        return VALUES.savedUser(r.get(U.ID), r.get(U.USERNAME), r.get(U.EMAIL), db.origin());
    }

    /**
     * Maps a record that may hold a user (a left join), or null when it holds none.
     *
     * @param db the database it was read from
     * @param r  the record
     * @return the saved user, or null
     */
    static User ofNullable(Database db, Record r) {
        return r.get(U.ID) == null ? null : of(db, r);
    }
}
