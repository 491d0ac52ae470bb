"""Sentences and quotations in other languages and scripts (issue #24): each case failed before the split and the
quotation marks learned them; English behaviour is pinned in test_text.py and test_quotes.py."""
import pytest

from newsfuse.nlp import extract_quotes, split_sentences
from newsfuse.nlp.quotes import has_quotation

SENTENCES = {
    "hi": ["सरकार ने मंगलवार को घोषणा की।", "बंदरगाह फिर से खोला जाएगा।", "क्या काम अक्टूबर में शुरू होगा?", "हाँ।"],
    "ar": ["أعلنت الحكومة يوم الثلاثاء أن الميناء سيعاد فتحه.", "وقال الوزير إن الأعمال ستبدأ قريبا؟", "نعم."],
    "ur": ["حکومت نے منگل کو اعلان کیا۔", "بندرگاہ دوبارہ کھول دی جائے گی۔"],
    "fa": ["دولت روز سه‌شنبه اعلام کرد که بندر دوباره باز خواهد شد.", "کار از مهر آغاز می‌شود."],
    "he": ["הממשלה הודיעה ביום שלישי כי הנמל ייפתח מחדש.", "העבודות יתחילו באוקטובר."],
    "zh": ["政府周二宣布，港口将重新开放。", "工程将于十月开始！", "这是真的吗？", "是的。"],
    "ja": ["政府は火曜日、港を再開すると発表した。", "「工事は十月に始まる」と述べた。"],
    "ko": ["정부는 화요일 항구를 다시 열겠다고 발표했다.", "공사는 10월에 시작된다."],
    "ru": ["Правительство объявило во вторник, что порт откроется.", "Работы начнутся в октябре."],
    "el": ["Η κυβέρνηση ανακοίνωσε την Τρίτη ότι το λιμάνι θα ανοίξει.", "Οι εργασίες αρχίζουν τον Οκτώβριο."],
    "es": ["¿Qué pasó en el puerto?", "¡Nadie lo sabe!", "La Sra. García habló el martes.", "Él dijo que no."],
    "fr": ["Le ministre est arrivé mardi.", "À midi, Mme Dupont a pris la parole.", "Élise l'a suivie."],
    "de": ["Die Regierung sagte: „Der Hafen öffnet wieder.“", "Über die Kosten schwieg sie.",
           "Das Schiff Nr. 5 fährt ab Montag."],
    "tr": ["Hükümet salı günü limanın açılacağını duyurdu.", "İşler ekimde başlayacak."],
}


@pytest.mark.parametrize("language", SENTENCES)
def test_sentences_in_each_script(language):
    sentences = SENTENCES[language]
    assert split_sentences(" ".join(sentences)) == sentences


def test_cjk_sentences_without_spaces_between_them():
    assert split_sentences("港口将重新开放。工程将于十月开始。") == ["港口将重新开放。", "工程将于十月开始。"]


QUOTES = [
    ("Le ministre a déclaré : « Le port rouvrira en octobre », avant de quitter la salle.",
     "Le port rouvrira en octobre"),
    ("»Wir schaffen das«, sagte die Kanzlerin am Montag in Berlin.", "Wir schaffen das"),
    ("Die Kanzlerin sagte: „Wir werden den Hafen wieder öffnen“, und verließ den Saal.",
     "Wir werden den Hafen wieder öffnen"),
    ("Minister powiedział: „Port zostanie otwarty w październiku” i wyszedł.", "Port zostanie otwarty w październiku"),
    ("Er sagte: ‚Das ist nicht mein Problem‘ und ging.", "Das ist nicht mein Problem"),
    ("Il a dit : ‹ Je reviendrai demain matin › en partant.", "Je reviendrai demain matin"),
    ("首相は「港は十月に再開する予定だ」と述べた。", "港は十月に再開する予定だ"),
    ("彼は『港の再開は遅れるだろう』と書いた。", "港の再開は遅れるだろう"),
    ("他说：“我们将在十月重新开放港口。”", "我们将在十月重新开放港口。"),
    ("צה״ל הודיע כי ״הכוחות ימשיכו לפעול בשטח״ ביום שלישי, לפי ארה״ב.", "הכוחות ימשיכו לפעול בשטח"),
]


@pytest.mark.parametrize(("text", "quoted"), QUOTES)
def test_quotation_marks_of_each_language(text, quoted):
    assert [quote.text for quote in extract_quotes(text)] == [quoted]


def test_short_and_acronym_marks_are_not_quotations():
    assert not has_quotation("La police a bloqué la «zone» rouge.")  # one word: a scare quote
    assert not has_quotation("政府は「港」を閉じた。")  # one character pair short of three words
    assert not has_quotation("צה״ל ודובר ארה״ב הודיעו היום על הפסקת האש.")  # gershayim of two acronyms
