package dev.duet.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Interaction;
import dev.duet.core.data.ItemInfo;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.operators.CrmBatchScorer;
import dev.duet.job.operators.UserHistory;
import dev.duet.job.testing.TrainedModelFixture;
import dev.duet.trainer.CrmScoring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The job's CRM score of a sample equals the trainer's offline score of the same sample: the
 * interaction stream goes through the job's user-state operator and its batched scorer (real ONNX
 * Runtime, batches across users), the same interactions through the protocol's sample builder and
 * the trainer's offline scoring.
 */
class TrainedModelScoringTest {

    @Test
    void jobScoresEqualTheTrainersOfflineScores() throws Exception {
        TrainedModelFixture f = TrainedModelFixture.get();
        List<Interaction> stream = SampleBuilder.inTimeOrder(f.dataset.interactions());
        List<Sample> offlineSamples = new ArrayList<>(f.samples.train());
        offlineSamples.addAll(f.samples.valid());
        offlineSamples.addAll(f.samples.test());
        float[] offline;
        float[] java;
        try (CrmModel crm = CrmModel.load(f.file)) {
            offline = CrmScoring.probabilities(crm, offlineSamples, f.dataset);
            java = f.model.predict(TrainedModelFixture.encode(f.encoding, offlineSamples, f.dataset));
        }

        List<ScoringTask> tasks = new ArrayList<>();
        var userOp = new CoBroadcastWithKeyedOperator<>(new UserHistory(50, Duration.ZERO, Duration.ofDays(7), 10, ""),
                List.of(UserHistory.CATALOG, UserHistory.POPULARITY, UserHistory.CONTROL));
        try (var users = new KeyedBroadcastOperatorTestHarness<String, JobEvent, JobEvent, ScoringTask>(
                userOp, e -> e.userId, Types.STRING, 128, 1, 0)) {
            users.open();
            for (ItemInfo item : f.dataset.items().values()) {
                JobEvent e = new JobEvent();
                e.kind = EventKind.ITEM;
                e.itemId = item.itemId();
                e.item = ItemDescriptor.of(item);
                users.processBroadcastElement(e, 0);
            }
            long offset = 0;
            for (Interaction i : stream) {
                JobEvent e = new JobEvent();
                e.kind = EventKind.INTERACTION;
                e.eventId = "interactions-0-" + offset++;
                e.userId = i.userId();
                e.itemId = i.itemId();
                e.rating = i.rating();
                e.timestampMs = i.timestampMs();
                e.setProfile(f.dataset.user(i.userId()));
                users.processElement(e, i.timestampMs());
            }
            tasks.addAll(users.extractOutputValues());
        }
        assertThat(tasks).hasSize(stream.size());

        List<ScoringTask> scored;
        try (var scorer = new OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask>(
                new CrmBatchScorer(OnnxCrmScorer.factory(), f.file.toString(), 32, 10))) {
            scorer.open();
            for (ScoringTask t : tasks) {
                scorer.processElement(t, t.timestampMs);
            }
            scorer.endInput();
            scored = scorer.extractOutputValues();
        }
        assertThat(scored).hasSize(offlineSamples.size());
        for (int i = 0; i < scored.size(); i++) {
            ScoringTask t = scored.get(i);
            Sample s = offlineSamples.get(i);
            assertThat(t.userId).isEqualTo(s.userId());
            assertThat(t.candidates[0].itemId).isEqualTo(s.itemId());
            assertThat(t.label).isEqualTo(s.label());
            assertThat(t.crmModelVersion).isEqualTo("fixture-v1");
            assertThat(t.crmScores[0]).as("sample %d", i).isCloseTo(offline[i], within(1e-6f));
            assertThat(t.crmScores[0]).as("sample %d vs the Java model", i).isCloseTo(java[i], within(1e-4f));
        }
    }
}
