package agent.kb;

/** An article a retriever found for a query, and its score on that retriever's scale. */
public record KbHit(KbArticle article, double score) {}
