package dev.mlm4j.model;

/**
 * What a model built on an encoder is for, and the type a pipeline gets for it. A family registers one
 * {@link Head} per task it implements; a new task (sequence classification, …) is a new constant beside its pipeline.
 *
 * @param name what to call the task in messages
 * @param type what loading the task's head gives
 */
public record Task<M>(String name, Class<M> type) {
    /** The bare encoder (transformers' {@code BertModel}, with its pooler when the checkpoint has one). */
    public static final Task<Encoder> ENCODER = new Task<>("encoder", Encoder.class);
    /** The encoder with its masked-LM head (transformers' {@code BertForMaskedLM}). */
    public static final Task<MaskedLanguageModel> MASKED_LM = new Task<>("masked-language-model", MaskedLanguageModel.class);
    /** The encoder, its pooler and a classifier over the pooled [CLS] vector (transformers' {@code BertForSequenceClassification}). */
    public static final Task<SequenceClassifier> SEQUENCE_CLASSIFICATION = new Task<>("sequence-classification", SequenceClassifier.class);
    /** The encoder with a classifier on every token (transformers' {@code BertForTokenClassification}): NER, POS tagging. */
    public static final Task<TokenClassifier> TOKEN_CLASSIFICATION = new Task<>("token-classification", TokenClassifier.class);
    /** The encoder with a start/end logit per token (transformers' {@code BertForQuestionAnswering}): extractive question answering. */
    public static final Task<QuestionAnswerer> QUESTION_ANSWERING = new Task<>("question-answering", QuestionAnswerer.class);
    /** ELECTRA's discriminator (transformers' {@code ElectraForPreTraining}): per token, whether it was replaced. */
    public static final Task<ReplacedTokenDetector> REPLACED_TOKEN_DETECTION = new Task<>("replaced-token-detection", ReplacedTokenDetector.class);
}
