package dev.duet.demo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a demo run measured, and the checks it must pass: nothing lost, nothing twice, one dead
 * letter per injected bad record, and the share routed to the LLM within its budget (the share
 * plus the burst tokens each subtask may save up).
 */
record DemoResult(
        ReplayPlan plan,
        Ledger.Accounts accounts,
        LiveStats.Snapshot stats,
        RankingHits.Figures ranking,
        DashboardAgreement.Result dashboardAgreement,
        Path sequenceModelFile,
        int recordsOut,
        int deadLetters,
        double budgetShare,
        double budgetAllowance,
        double rate,
        double throughputEps,
        Map<String, Double> seconds,
        String dataDescription,
        Path modelFile,
        String llmDescription,
        Map<String, Object> machine,
        String dashboardUrl,
        boolean timedOut,
        List<String> problems) {

    boolean ok() {
        return problems.isEmpty();
    }

    /** Largest number of samples the budget allows to route for this many outputs. */
    static double routedLimit(int outputs, double share, double allowance) {
        return share * outputs + allowance;
    }

    /** The checks; an empty list when all pass. */
    static List<String> problems(ReplayPlan plan, Ledger.Accounts a, LiveStats.Snapshot s, int recordsOut, int deadLetters,
            double share, double allowance, boolean timedOut) {
        List<String> problems = new java.util.ArrayList<>();
        if (timedOut) {
            problems.add("timed out before every input was accounted for");
        }
        if (a.inputs() != plan.records().size()) {
            problems.add("the broker acknowledged " + a.inputs() + " of " + plan.records().size() + " inputs");
        }
        if (a.lost() > 0) {
            problems.add(a.lost() + " inputs without output");
        }
        if (a.duplicates() > 0) {
            problems.add(a.duplicates() + " duplicate outputs");
        }
        if (a.unexpected() > 0) {
            problems.add(a.unexpected() + " outputs of unknown inputs");
        }
        if (deadLetters != plan.bad()) {
            problems.add(deadLetters + " dead letters for " + plan.bad() + " injected bad records");
        }
        if (recordsOut != plan.interactions() + plan.requests() && a.unexpected() == 0) {
            problems.add(recordsOut + " records out for " + (plan.interactions() + plan.requests()) + " good inputs");
        }
        if (s.routed() > routedLimit(s.overall().count(), share, allowance)) {
            problems.add(String.format("%d samples routed to the LLM, over the budget's %.0f", s.routed(),
                    routedLimit(s.overall().count(), share, allowance)));
        }
        return problems;
    }

    /** The report's JSON structure (README of docs/demo.md lists the keys). */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("interactions", plan.interactions());
        in.put("requests", plan.requests());
        in.put("bad", plan.bad());
        in.put("total", plan.records().size());
        in.put("acknowledged", accounts.inputs());
        in.put("test_period_interactions", plan.testPeriodInteractions());
        m.put("events", Map.of("in", in));
        m.put("records", Map.of("out", recordsOut, "expected", plan.interactions() + plan.requests()));
        m.put("duplicates", accounts.duplicates());
        m.put("lost", accounts.lost());
        m.put("unexpected_outputs", accounts.unexpected());
        m.put("dead_letters", deadLetters);
        m.put("dead_letters_expected", plan.bad());
        m.put("routed_share", stats.routedShare());
        Map<String, Object> budget = new LinkedHashMap<>();
        budget.put("share", budgetShare);
        budget.put("burst_allowance", budgetAllowance);
        budget.put("routed", stats.routed());
        budget.put("limit", routedLimit(stats.overall().count(), budgetShare, budgetAllowance));
        budget.put("within", stats.routed() <= routedLimit(stats.overall().count(), budgetShare, budgetAllowance));
        m.put("routed_budget", budget);
        m.put("fallbacks", stats.routes().get("fallback").count());
        m.put("fallback_reasons", stats.fallbackReasons());
        Map<String, Object> auc = new LinkedHashMap<>();
        auc.put("overall", number(stats.overall().auc()));
        stats.routes().forEach((route, f) -> auc.put(route, number(f.auc())));
        // The CRM alone on the samples the LLM answered: the comparison that says whether it helped.
        auc.put("crm_on_llm_samples", number(stats.routes().get("llm").crmAuc()));
        m.put("auc", auc);
        Map<String, Object> labelled = new LinkedHashMap<>();
        labelled.put("overall", stats.overall().labelled());
        stats.routes().forEach((route, f) -> labelled.put(route, f.labelled()));
        m.put("auc_samples", labelled);
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("p50", number(stats.overall().latencyQuantile(0.5)));
        latency.put("p99", number(stats.overall().latencyQuantile(0.99)));
        stats.routes().forEach((route, f) -> latency.put(route, quantiles(f)));
        m.put("latency_ms", latency);
        Map<String, Object> routes = new LinkedHashMap<>();
        stats.routes().forEach((route, f) -> routes.put(route, f.count()));
        m.put("routes", routes);
        m.put("ranking", rankingMap());
        m.put("dashboard_live_quality", dashboardMap());
        m.put("throughput_eps", throughputEps);
        m.put("rate_eps", rate);
        m.put("seconds", seconds);
        m.put("timed_out", timedOut);
        m.put("ok", ok());
        m.put("problems", problems);
        m.put("data", dataDescription);
        m.put("model", modelFile.toString());
        m.put("sequence_model", sequenceModelFile == null ? null : sequenceModelFile.toString());
        m.put("llm", llmDescription);
        m.put("dashboard", dashboardUrl);
        m.put("machine", machine);
        return m;
    }

    /**
     * hit@k of the lists sent, by retrieval source, and of the two retrievals on the same
     * interactions (the sequence model's own top k against popularity's shadow top k).
     */
    private Map<String, Object> rankingMap() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("k", ranking.k());
        Map<String, Object> sent = new LinkedHashMap<>();
        ranking.sentBySource().forEach((source, hits) -> sent.put(source, hits(hits)));
        r.put("sent_hit_at_k", sent);
        Map<String, Object> same = new LinkedHashMap<>();
        same.put("sequence", hits(ranking.sequenceRetrieved()));
        same.put("popularity", hits(ranking.popularityShadow()));
        r.put("retrieval_hit_at_k_same_interactions", same);
        r.put("untracked_interactions", ranking.untracked());
        r.put("requests_by_retrieval", ranking.requestsBySource());
        return r;
    }

    /** The dashboard's live AUC and LogLoss per route and subtask beside the outputs' (null: not read). */
    private Map<String, Object> dashboardMap() {
        Map<String, Object> d = new LinkedHashMap<>();
        if (dashboardAgreement == null) {
            d.put("checked", false);
            return d;
        }
        d.put("checked", true);
        d.put("agrees", dashboardAgreement.agrees());
        d.put("error", dashboardAgreement.error());
        List<Object> rows = new java.util.ArrayList<>();
        for (DashboardAgreement.Row r : dashboardAgreement.rows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("route", r.route());
            row.put("subtask", r.subtask());
            row.put("compared", r.compared());
            row.put("agrees", r.agrees());
            row.put("samples", Map.of("dashboard", Double.isNaN(r.dashboardSamples()) ? -1 : (long) r.dashboardSamples(),
                    "outputs", r.outputSamples()));
            Map<String, Object> auc = new LinkedHashMap<>();
            auc.put("dashboard", number(r.dashboardAuc()));
            auc.put("outputs", number(r.outputAuc()));
            row.put("auc", auc);
            Map<String, Object> logLoss = new LinkedHashMap<>();
            logLoss.put("dashboard", number(r.dashboardLogLoss()));
            logLoss.put("outputs", number(r.outputLogLoss()));
            row.put("log_loss", logLoss);
            rows.add(row);
        }
        d.put("rows", rows);
        return d;
    }

    private static Map<String, Object> hits(RankingHits.Hits h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("interactions", h.interactions());
        m.put("hits", h.hits());
        m.put("hit_rate", number(h.rate()));
        return m;
    }

    private static Map<String, Object> quantiles(LiveStats.RouteFigures f) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("count", f.count());
        q.put("p50", number(f.latencyQuantile(0.5)));
        q.put("p90", number(f.latencyQuantile(0.9)));
        q.put("p99", number(f.latencyQuantile(0.99)));
        q.put("max", number(f.latencyQuantile(1.0)));
        return q;
    }

    /** JSON has no NaN: an undefined figure (no samples, one class only) is null. */
    private static Double number(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
