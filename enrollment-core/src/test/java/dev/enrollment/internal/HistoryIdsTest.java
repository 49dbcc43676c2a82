package dev.enrollment.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryIdsTest {
    @Test
    void isAVersion7UuidIn32LowerCaseHexDigitsCarryingTheTime() {
        long before = System.currentTimeMillis();
        String id = HistoryIds.next();
        long after = System.currentTimeMillis();

        assertThat(id).matches("[0-9a-f]{32}");
        UUID uuid = UUID.fromString(id.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2);   // RFC 9562's variant, 10xx
        long millis = Long.parseLong(id.substring(0, 12), 16);
        assertThat(millis).isBetween(before, after + 1);   // +1: the counter may borrow the next millisecond
    }

    @Test
    void strictlyIncreasesWithinTheJvmSoOneRowsHistorySortsInWriteOrder() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {   // far more than one millisecond's 4096 counter values
            ids.add(HistoryIds.next());
        }
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i)).isGreaterThan(ids.get(i - 1));
        }
    }

    @Test
    void laysOutTimeVersionCounterVariantAndRandomBits() {
        assertThat(HistoryIds.of(0x0123_4567_89abL, 0xfffL, -1L)).isEqualTo("0123456789ab7fffbfffffffffffffff");
        assertThat(HistoryIds.of(0, 0, 0)).isEqualTo("00000000000070008000000000000000");
    }

    @Test
    void aBatchBaseDerivesDistinctVersion7IdsThatSortAfterEveryEarlierId() {
        String earlier = HistoryIds.next();
        HistoryIds.Base base = HistoryIds.nextBase();
        String later = HistoryIds.next();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (long enrollmentId : new long[] {1, 2, 3, 1L << 40, (1L << 62) - 1}) {
            String id = HistoryIds.derive(base, enrollmentId);
            assertThat(id).matches("[0-9a-f]{32}");
            UUID uuid = UUID.fromString(id.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(id).isGreaterThan(earlier).isLessThan(later);
            ids.add(id);
        }
        assertThat(ids).hasSize(5);
    }
}
