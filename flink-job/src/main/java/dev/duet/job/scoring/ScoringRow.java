package dev.duet.job.scoring;

import dev.duet.core.data.ItemInfo;
import dev.duet.core.data.UserInfo;
import dev.duet.core.samples.Sample;

/** One row of a CRM batch: the sample and what the encoding needs to know about its item and user. */
public record ScoringRow(Sample sample, ItemInfo item, UserInfo user) {}
