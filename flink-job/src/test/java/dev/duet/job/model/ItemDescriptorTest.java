package dev.duet.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.samples.SampleBuilder;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ItemDescriptorTest {

    @Test
    void theCachedColumnsAreNeitherStateNorSent() throws Exception {
        TypeInformation<ItemDescriptor> type = TypeInformation.of(ItemDescriptor.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        assertThat(((PojoTypeInfo<ItemDescriptor>) type).getFieldNames())
                .containsExactlyInAnyOrder("itemId", "title", "year", "genres");

        Dataset ds = new SyntheticDatasetGenerator(SyntheticConfig.builder().users(40).items(50).ratings(800).build()).generate();
        FeatureEncoding encoding = FeatureEncoding.fit(SampleBuilder.build(ds).train(), ds);
        ItemDescriptor d = new ItemDescriptor("i1", "One (1990)", 1990, new String[] {"Drama"});
        d.columns = encoding.itemColumns(d.itemId, d.year, List.of(d.genres));

        TypeSerializer<ItemDescriptor> serializer = type.createSerializer(new ExecutionConfig().getSerializerConfig());
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(d, out);
        ItemDescriptor back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.itemId).isEqualTo("i1");
        assertThat(back.genres).containsExactly("Drama");
        assertThat(back.columns).isNull();
        assertThat(serializer.copy(d).columns).isNull();
    }
}
