"""Writes the corpus that trains the profile-guided release build.

It is not the benchmark's corpus (the Littré), so that the figures
`bench/run.sh` measures are not those of a build trained on them: copies of
the seed post, and posts of sentences drawn from the Snowball French
vocabulary of the stemmer test (all of its 21,655 words, so that analysis
meets words its cache does not hold, as on a large corpus), with elisions,
list items, the seed's paragraphs and comments among them. Deterministic.

Usage: python3 bench/pgo/corpus.py SEED_POST VOCABULARY OUT_DIR POSTS
"""
import pathlib
import random
import sys

seed_file, vocabulary_file, out, posts = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), int(sys.argv[4])
seed = pathlib.Path(seed_file).read_text(encoding="utf-8")
vocabulary = pathlib.Path(vocabulary_file).read_text(encoding="utf-8").split()
paragraphs = [p for p in seed.split("\n\n")[1:] if p.strip()]
rng = random.Random(7)
elisions = ["l’", "d’", "qu’", "n’", "s’", "L'", "j'"]
stop_words = ["le", "la", "les", "de", "des", "et", "à", "en", "un", "une", "que", "qui", "dans", "pour", "sur", "au", "du"]


def sentence():
    words = []
    for _ in range(rng.randint(6, 24)):
        draw = rng.random()
        word = rng.choice(vocabulary)
        if draw < 0.35:
            word = rng.choice(stop_words)
        elif draw < 0.42 and word[0] in "aeiouéèh":
            word = rng.choice(elisions) + word
        words.append(word)
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words) + rng.choice([".", ".", " ?", " !", " :", ","])


out.mkdir(parents=True, exist_ok=True)
for n in range(posts):
    title = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 6))).capitalize()
    body = []
    for _ in range(rng.randint(2, 14)):
        draw = rng.random()
        if draw < 0.15:
            body.append(rng.choice(paragraphs))
        elif draw < 0.25:
            body.append("\n".join(f"  • {sentence()}" for _ in range(rng.randint(2, 5))))
        else:
            body.append(" ".join(sentence() for _ in range(rng.randint(1, 5))))
    (out / f"post-{n:05}.txt").write_text(title + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
for n in range(posts // 50):
    (out / f"seed-{n:03}.txt").write_text(seed, encoding="utf-8")
