package dev.duet.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.Datasets;
import dev.duet.core.testing.SharedResources;
import dev.duet.trainer.model.Dcnv2Config;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bar on the real data: on MovieLens-100K the exported DCNv2 reaches test AUC 0.77,
 * beats both baselines, and is clearly less accurate where it is least certain (CoReLLa).
 */
class MovieLens100kQualityTest {

    @TempDir Path temp;

    @Test
    @SuppressWarnings("unchecked")
    void dcnv2BeatsBaselinesAndEntropyPredictsErrors() throws Exception {
        Dataset ml = Datasets.load(SharedResources.resolve("data/ml-100k"));
        TrainingRun.Result result = new TrainingRun(Dcnv2Config.builder().build(), new PrintStream(System.out)).run(ml, temp);
        Map<String, Object> models = (Map<String, Object>) result.report().get("models");
        double dcn = auc(models, "dcnv2");
        assertThat(dcn).isGreaterThanOrEqualTo(0.77);
        assertThat(dcn).isGreaterThan(auc(models, "popularity"));
        assertThat(dcn).isGreaterThan(auc(models, "logreg"));
        List<Map<String, Object>> deciles = (List<Map<String, Object>>) result.report().get("entropy_deciles");
        double lowest = ((Number) deciles.get(0).get("accuracy")).doubleValue();
        double highest = ((Number) deciles.get(deciles.size() - 1).get("accuracy")).doubleValue();
        assertThat(highest).isLessThan(lowest - 0.15);
        assertThat(result.trainSeconds()).isLessThan(120);
    }

    @SuppressWarnings("unchecked")
    private static double auc(Map<String, Object> models, String model) {
        return ((Number) ((Map<String, Object>) ((Map<String, Object>) models.get(model)).get("test")).get("auc")).doubleValue();
    }
}
