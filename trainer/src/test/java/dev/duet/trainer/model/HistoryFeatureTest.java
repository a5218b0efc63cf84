package dev.duet.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class HistoryFeatureTest {

    @Test
    void parsesOptionNamesAndNone() {
        assertThat(HistoryFeature.parse("liked-pools, target-dots"))
                .containsExactlyInAnyOrder(HistoryFeature.LIKED_POOLS, HistoryFeature.TARGET_DOTS);
        assertThat(HistoryFeature.parse("attention,liked-pools,liked-tables")).hasSize(3);
        assertThat(HistoryFeature.parse("none")).isEmpty();
        assertThat(HistoryFeature.parse("")).isEmpty();
    }

    @Test
    void rejectsUnknownNamesAndTablesWithoutPools() {
        assertThatThrownBy(() -> HistoryFeature.parse("liked-pool"))
                .hasMessageContaining("'liked-pool'").hasMessageContaining("known:");
        assertThatThrownBy(() -> HistoryFeature.parse("liked-tables,attention"))
                .hasMessageContaining("needs liked-pools or target-dots");
        assertThatThrownBy(() -> Dcnv2Config.builder()
                .historyFeatures(EnumSet.of(HistoryFeature.LIKED_TABLES)).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configKeepsItsFeaturesThroughToBuilder() {
        Dcnv2Config config = Dcnv2Config.builder()
                .historyFeatures(EnumSet.of(HistoryFeature.ATTENTION)).build();
        assertThat(config.toBuilder().build().historyFeatures()).containsExactly(HistoryFeature.ATTENTION);
        assertThat(Dcnv2Config.builder().build().historyFeatures()).isEmpty();
        assertThat(config.toString()).contains("history=[attention]");
    }
}
