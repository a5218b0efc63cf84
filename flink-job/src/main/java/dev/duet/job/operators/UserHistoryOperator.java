package dev.duet.job.operators;

import dev.duet.job.model.JobEvent;
import dev.duet.job.model.ScoringTask;
import java.util.List;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;

/**
 * Runs {@link UserHistory} with its user cache in write-behind mode: users' state objects stay on
 * the heap between checkpoints and reach the keyed state (RocksDB) when evicted and before every
 * checkpoint barrier, so a user with many events between two checkpoints costs one state write
 * instead of one per event. Only an operator can write another key's state (it sets the current
 * key), which is why this is an operator and not just the function.
 */
public class UserHistoryOperator extends CoBroadcastWithKeyedOperator<String, JobEvent, JobEvent, ScoringTask> {

    private static final long serialVersionUID = 1L;

    private transient BarrierFlushMetrics flushMetrics;

    public UserHistoryOperator(UserHistory history) {
        super(history, List.of(UserHistory.CATALOG, UserHistory.POPULARITY, UserHistory.CONTROL));
    }

    private UserHistory history() {
        return (UserHistory) getUserFunction();
    }

    @Override
    public void open() throws Exception {
        super.open();
        history().users().enableWriteBehind(this);
        flushMetrics = new BarrierFlushMetrics(getMetricGroup(), "userState");
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        // Before the barrier: the snapshot that follows must hold every write made before it.
        flushMetrics.flush(history().users());
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        history().users().flush();
        super.finish();
    }
}
