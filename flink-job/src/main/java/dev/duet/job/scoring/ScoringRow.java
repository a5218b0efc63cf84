package dev.duet.job.scoring;

import dev.duet.core.data.UserInfo;
import dev.duet.core.samples.Sample;
import dev.duet.job.model.ItemDescriptor;

/**
 * One row of a CRM batch: the sample and what the encoding needs to know about its item, its
 * history items (aligned with {@code sample.historyItems()}) and its user. Rows of one task share
 * the history array, the user and the sample's history arrays.
 */
public record ScoringRow(Sample sample, ItemDescriptor item, ItemDescriptor[] history, UserInfo user) {}
