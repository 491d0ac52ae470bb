"""Language identification and the rule that chooses between the identified and the declared language."""
import pytest

from newsfuse.nlp.language import CONFIDENT, _identifier, article_language, identify_language, language_tag

# One news sentence per language ("The government announced on Tuesday that the port will reopen after the storm
# damage"), as a wire service would write it in each.
SENTENCES = {
    "en": "The government announced on Tuesday that the port would reopen after the storm damaged its main pier.",
    "de": "Die Regierung kündigte am Dienstag an, dass der Hafen nach den Sturmschäden wieder geöffnet wird.",
    "es": "El gobierno anunció el martes que el puerto volverá a abrir tras los daños causados por la tormenta.",
    "fr": "Le gouvernement a annoncé mardi que le port rouvrira après les dégâts causés par la tempête.",
    "it": "Il governo ha annunciato martedì che il porto riaprirà dopo i danni causati dalla tempesta.",
    "pt": "O governo anunciou na terça-feira que o porto será reaberto depois dos danos causados pela tempestade.",
    "tr": "Hükümet salı günü, fırtınanın verdiği hasarın ardından limanın yeniden açılacağını duyurdu.",
    "ru": "Правительство объявило во вторник, что порт вновь откроется после повреждений, нанесённых штормом.",
    "uk": "Уряд оголосив у вівторок, що порт знову відкриють після пошкоджень, завданих штормом.",
    "el": "Η κυβέρνηση ανακοίνωσε την Τρίτη ότι το λιμάνι θα ανοίξει ξανά μετά τις ζημιές από την καταιγίδα.",
    "he": "הממשלה הודיעה ביום שלישי כי הנמל ייפתח מחדש לאחר הנזקים שגרמה הסערה.",
    "ar": "أعلنت الحكومة يوم الثلاثاء أن الميناء سيعاد فتحه بعد الأضرار التي سببتها العاصفة.",
    "fa": "دولت روز سه‌شنبه اعلام کرد که بندر پس از خسارت‌های ناشی از طوفان دوباره باز خواهد شد.",
    "ur": "حکومت نے منگل کو اعلان کیا کہ طوفان سے ہونے والے نقصان کے بعد بندرگاہ دوبارہ کھول دی جائے گی۔",
    "hi": "सरकार ने मंगलवार को घोषणा की कि तूफान से हुए नुकसान के बाद बंदरगाह फिर से खोला जाएगा।",
    "zh": "政府周二宣布，港口将在风暴造成的损坏修复后重新开放。",
    "ja": "政府は火曜日、嵐で被害を受けた港を再開すると発表した。",
    "ko": "정부는 화요일 폭풍으로 피해를 입은 항구를 다시 열겠다고 발표했다.",
}


@pytest.mark.parametrize("language", SENTENCES)
def test_one_sentence_in_each_language(language):
    assert identify_language(SENTENCES[language])[0] == language


def test_quoted_words_of_another_script_do_not_decide():
    text = ("Ce billet fait partie de notre dossier sur les manifestations en Syrie. Un militant a publié sur Facebook "
            ": « نحن هنا في درعا، لن نتراجع حتى يسقط النظام، والشعب السوري واحد » et la vidéo a été partagée des "
            "milliers de fois.")
    assert _identifier().classify(text)[0] == "ary"  # on all its bytes the Arabic quotation wins
    assert identify_language(text)[0] == "fr"


def test_identified_language_wins_when_confident():
    assert identify_language(SENTENCES["fr"])[1] >= CONFIDENT
    assert article_language(SENTENCES["fr"], "en-US") == "fr"  # a template's lang="en-US" on a French page
    assert article_language(SENTENCES["en"], "en-GB") == "en"


def test_declared_language_kept_when_too_short_to_tell():
    assert identify_language("Boa noite")[1] < CONFIDENT
    assert article_language("Boa noite", "pt-BR") == "pt"
    assert article_language("Boa noite") is None  # nothing declared: unknown, not a guess
    assert article_language("12:45 — 3-1", "es") == "es"
    assert identify_language("12:45 — 3-1") == (None, 0.0)


@pytest.mark.parametrize(("tag", "expected"), [
    ("en-US", "en"), ("fr_FR", "fr"), ("EN", "en"), ("zh-Hant-TW", "zh"), (" de ", "de"), ("ast", "ast"),
    ("und", None), ("x-default", None), ("english", None), ("", None), (None, None),
])
def test_declared_tags_keep_their_primary_subtag(tag, expected):
    assert language_tag(tag) == expected
