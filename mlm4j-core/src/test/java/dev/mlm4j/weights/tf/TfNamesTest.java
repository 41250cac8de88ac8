package dev.mlm4j.weights.tf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.*;

class TfNamesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // TensorFlow name,                                           Hugging Face name,                                  transposed
            "module/bert/embeddings/word_embeddings,                       bert.embeddings.word_embeddings.weight,              false",
            "module/bert/embeddings/position_embeddings,                   bert.embeddings.position_embeddings.weight,          false",
            "bert/embeddings/token_type_embeddings,                        bert.embeddings.token_type_embeddings.weight,        false",
            "module/bert/embeddings/LayerNorm/gamma,                       bert.embeddings.LayerNorm.weight,                    false",
            "module/bert/embeddings/LayerNorm/beta,                        bert.embeddings.LayerNorm.bias,                      false",
            "module/bert/encoder/layer_0/attention/self/query/kernel,      bert.encoder.layer.0.attention.self.query.weight,    true",
            "module/bert/encoder/layer_11/attention/self/value/bias,       bert.encoder.layer.11.attention.self.value.bias,     false",
            "bert/encoder/layer_3/attention/output/dense/kernel,           bert.encoder.layer.3.attention.output.dense.weight,  true",
            "bert/encoder/layer_3/attention/output/LayerNorm/gamma,        bert.encoder.layer.3.attention.output.LayerNorm.weight, false",
            "bert/encoder/layer_7/intermediate/dense/kernel,               bert.encoder.layer.7.intermediate.dense.weight,      true",
            "bert/encoder/layer_7/output/dense/bias,                       bert.encoder.layer.7.output.dense.bias,              false",
            "bert/encoder/layer_7/output/LayerNorm/beta,                   bert.encoder.layer.7.output.LayerNorm.bias,          false",
            "module/bert/pooler/dense/kernel,                              bert.pooler.dense.weight,                            true",
            "module/bert/pooler/dense/bias,                                bert.pooler.dense.bias,                              false",
            "module/cls/predictions/transform/dense/kernel,                cls.predictions.transform.dense.weight,              true",
            "module/cls/predictions/transform/LayerNorm/gamma,             cls.predictions.transform.LayerNorm.weight,          false",
            "module/cls/predictions/output_bias,                           cls.predictions.bias,                                false",
            "cls/seq_relationship/output_weights,                          cls.seq_relationship.weight,                         false",
            "cls/seq_relationship/output_bias,                             cls.seq_relationship.bias,                           false",
            "cls/squad/output_weights,                                     cls.classifier.weight,                               false",
            "module/bert/odd-name:0/kernel,                                bert.odd_name_0.weight,                              true",
    })
    void mapsLikeTransformersLoadTfWeightsInBert(String tf, String hf, boolean transpose) {
        TfNames.Mapping m = TfNames.toHuggingFace(tf);
        assertNotNull(m, tf);
        assertEquals(hf, m.hfName());
        assertEquals(transpose, m.transpose(), tf);
        assertEquals(tf, m.tfName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"global_step", "bert/encoder/layer_0/output/dense/kernel/adam_m",
            "bert/encoder/layer_0/output/dense/kernel/adam_v", "module/bert/pooler/dense/bias/adam_v",
            "AdamWeightDecayOptimizer/bert/x", "AdamWeightDecayOptimizer_1/bert/x"})
    void skipsOptimizerState(String tf) {
        assertNull(TfNames.toHuggingFace(tf));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert.embeddings.word_embeddings.weight", "bert.encoder.layer.11.output.LayerNorm.bias",
            "bert.encoder.layer.0.attention.self.key.weight", "cls.predictions.bias", "cls.predictions.transform.dense.weight",
            "bert.pooler.dense.weight", "cls.seq_relationship.bias"})
    void recognisesBertParameters(String hf) {
        assertTrue(TfNames.isBertParameter(hf), hf);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert.encoder.layer.x.output.dense.weight", "bert.odd.weight", "cls.classifier.weight",
            "bert.encoder.layer.0.attention.self.query.kernel", "weight"})
    void doesNotRecogniseOthers(String hf) {
        assertFalse(TfNames.isBertParameter(hf), hf);
    }
}
