/**
 * The evaluation harness behind {@code docs/SEED-CLAIMS.md}: it measures the seed chapter's claims about
 * bidirectional versus causal attention on a real corpus, with a frozen model.
 * <ul>
 *   <li>Data: {@link dev.mlm4j.eval.CorpusReader} reads the Brown Corpus ({@code word/tag} files, genres from
 *       the file names) or {@code doc-N.json} sentence arrays, from a folder or the .tgz; {@link dev.mlm4j.eval.Split}
 *       holds out every fifth file per genre; {@link dev.mlm4j.eval.UniversalTags} collapses Brown's tags.</li>
 *   <li>Masked-token prediction: {@link dev.mlm4j.eval.MlmEvaluation} (seeded {@link dev.mlm4j.eval.Masking},
 *       one mask per query, conditions bidirectional / causal / left-only / right-masked) →
 *       {@link dev.mlm4j.eval.MlmReport}. The model is reached through {@link dev.mlm4j.eval.MaskedTokenScorer},
 *       which {@link dev.mlm4j.eval.EvalModel} implements with BERT and tests with known probabilities.</li>
 *   <li>Probes: {@link dev.mlm4j.eval.Probes} (POS tagging, genre classification) train a
 *       {@link dev.mlm4j.eval.SoftmaxRegression} head on {@link dev.mlm4j.eval.FrozenFeatures} →
 *       {@link dev.mlm4j.eval.ProbeReport}.</li>
 *   <li>Generation: {@link dev.mlm4j.eval.Generation} (left-to-right, causal, masks-ahead, mask-predict).</li>
 * </ul>
 * Every report carries a {@link dev.mlm4j.eval.RunInfo} (date, machine, model, seed, elapsed time, command)
 * and renders as JSON and Markdown; long jobs report to a {@link dev.mlm4j.eval.Meter}.
 */
package dev.mlm4j.eval;
