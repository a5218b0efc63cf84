package dev.duet.trainer.bench;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The CRM's cost per ONNX Runtime call against batch size: encoding excluded (it is measured with
 * the job), tensors created and results read back included, as the job pays them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CrmScoringBenchmark {

    /** System property naming the model file to score with. */
    public static final String MODEL_PROPERTY = "duet.bench.model";

    @Param({"1", "8", "32", "128", "512", "1024"})
    public int batchSize;

    private CrmModel crm;
    private EncodedBatch batch;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        crm = CrmModel.load(Path.of(System.getProperty(MODEL_PROPERTY)));
        Dataset data = new SyntheticDatasetGenerator(SyntheticConfig.builder().seed(9).build()).generate();
        List<Sample> samples = SampleBuilder.build(data).test();
        batch = new EncodedBatch(crm.encoding(), batchSize);
        for (int i = 0; i < batchSize; i++) {
            Sample s = samples.get(i % samples.size());
            crm.encoding().encode(s, data.item(s.itemId()), data.user(s.userId()), batch);
        }
    }

    @Benchmark
    public float score() throws Exception {
        return crm.score(batch).probability()[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        crm.close();
    }
}
