package io.qube.store.pg;

import io.qube.store.StoreException;
import io.vertx.pgclient.PgException;

/** Classifies database failures into the store's errors. */
final class Failures {

    /** The unique key of Services' addresses (migration V2), which refuses an address to its second holder. */
    private static final String ADDRESS_CONSTRAINT = "qube_service_address_pkey";

    private Failures() {
    }

    /** A failure in the data a statement was given, as opposed to the database being unreachable. */
    static boolean isDataError(Throwable failure) {
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            String state = pg.getSqlState();
            // 22: data exception (e.g. malformed JSON), 23: integrity constraint violation.
            return state.startsWith("22") || state.startsWith("23");
        }
        return false;
    }

    static StoreException toStoreException(Throwable failure) {
        if (failure instanceof StoreException store) {
            return store;
        }
        if (failure instanceof PgException pg && ADDRESS_CONSTRAINT.equals(pg.getConstraint())) {
            return StoreException.addressTaken(pg.getDetail());
        }
        if (isDataError(failure)) {
            return new StoreException(StoreException.Reason.BAD_REQUEST, null, 0,
                    "the object could not be stored: " + failure.getMessage(), failure);
        }
        return StoreException.unavailable("the database is unavailable: " + failure.getMessage(), failure);
    }
}
