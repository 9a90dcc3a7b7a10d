"""Fragments in languages other than English, written by hand for this project.

People write GDPR requests in their own language, both as casual notes and as formal letters
citing Art. 15 (access), 16/17 (rectification, erasure) or 21 (objection to direct marketing).
The six main languages (de, fr, es, it, nl, pl) get the most phrasings; pt, cs, hr, el, ro and sv
get fewer so the model at least recognises their request vocabulary.
"""

from __future__ import annotations

from typing import Any

LANGS: dict[str, dict[str, Any]] = {}

LANGS["de"] = {
    "greetings": ["Sehr geehrte Damen und Herren,", "Hallo,", "Guten Tag,", "Liebes Team,",
                  "Sehr geehrter Datenschutzbeauftragter,", "Hi,"],
    "closings": ["Mit freundlichen Grüßen", "Viele Grüße", "Danke!", "Beste Grüße",
                 "Vielen Dank im Voraus.", "MfG"],
    "opt_out": [
        "Bitte tragen Sie mich aus Ihrem Newsletter aus.",
        "Ich möchte keine Werbe-E-Mails mehr von Ihnen erhalten.",
        "Bitte streichen Sie meine Adresse aus Ihrem Verteiler.",
        "Hören Sie bitte auf, mir E-Mails zu schicken.",
        "Ich widerspreche der Nutzung meiner Daten für Werbezwecke.",
        "Ich widerrufe meine Einwilligung zum Erhalt von Werbung.",
        "Wie kann ich mich vom Newsletter abmelden?",
        "Bitte abmelden.",
        "Keine Newsletter mehr, danke.",
        "Ich will diese Mails nicht mehr bekommen, bitte löschen Sie mich aus der Mailingliste.",
        "Bitte senden Sie mir keine Informationen zu Veranstaltungen mehr.",
        "Der Abmeldelink funktioniert nicht, bitte nehmen Sie mich manuell aus dem Verteiler.",
        "Ich möchte den Newsletter abbestellen.",
        "Bitte stellen Sie jegliche Direktwerbung an mich ein.",
        "Newsletter abbestellen bitte",
        "Ich habe mich nie angemeldet, bitte keine Werbung mehr!",
    ],
    "correction": [
        "Bitte aktualisieren Sie meine Adresse.",
        "Mein Nachname hat sich geändert, bitte korrigieren Sie ihn.",
        "Die bei Ihnen gespeicherte Telefonnummer ist falsch.",
        "Bitte löschen Sie alle meine personenbezogenen Daten.",
        "Ich möchte mein Konto löschen lassen.",
        "Wie kann ich meine persönlichen Daten ändern?",
        "Bitte berichtigen Sie mein Geburtsdatum.",
        "Löschen Sie bitte mein Profil und alle Daten dazu.",
        "Meine E-Mail-Adresse hat sich geändert.",
        "Ich bitte um Löschung meiner Daten.",
        "Bitte entfernen Sie meine Daten aus Ihrer Datenbank.",
        "Mein Name ist falsch geschrieben, bitte korrigieren.",
        "Ich bin umgezogen, bitte ändern Sie meine Anschrift.",
        "Account löschen bitte",
    ],
    "access_request": [
        "Bitte senden Sie mir eine Kopie aller Daten, die Sie über mich gespeichert haben.",
        "Ich möchte wissen, welche Daten Sie über mich speichern.",
        "Ich beantrage Auskunft über meine personenbezogenen Daten.",
        "Welche Informationen haben Sie über mich?",
        "Hiermit stelle ich ein Auskunftsersuchen.",
        ("Bitte teilen Sie mir mit, woher Sie meine Daten haben und an wen Sie sie weitergegeben "
        "haben."),
        "Ich hätte gerne eine Datenkopie.",
        "Können Sie mir meine gespeicherten Daten zuschicken?",
        "Bitte erteilen Sie mir Auskunft nach Art. 15 DSGVO.",
        "Ich möchte Einsicht in meine Akte.",
    ],
    "general_query": [
        "Verwenden Sie Cookies auf Ihrer Webseite?",
        "Mit wem teilen Sie meine Daten?",
        "Wie lange speichern Sie Bewerbungsunterlagen?",
        "Meine Karte ist noch nicht angekommen.",
        "Ich habe mein Passwort vergessen.",
        "Wann findet die nächste Schulung statt?",
        "Die App stürzt ständig ab.",
        "Wie sicher sind meine Daten bei Ihnen?",
        "Ich möchte mich für den Newsletter anmelden.",
        "Warum wurde mir eine Gebühr berechnet?",
        "Wo finde ich Ihre Datenschutzerklärung?",
        "Kann ich meine Buchung stornieren?",
    ],
    "formal": {
        "access_request": [
            ("hiermit mache ich mein Recht auf Auskunft gemäß Art. 15 DSGVO geltend. Bitte "
            "bestätigen Sie mir, ob Sie mich betreffende personenbezogene Daten verarbeiten. Falls "
            "ja, bitte ich um Auskunft über die Verarbeitungszwecke, die Kategorien der Daten, die "
            "Empfänger, die geplante Speicherdauer und die Herkunft der Daten sowie um eine Kopie "
            "der Daten (Art. 15 Abs. 3 DSGVO)."),
            ("gestützt auf Artikel 15 der Datenschutz-Grundverordnung verlange ich Auskunft "
            "darüber, welche Daten zu meiner Person bei Ihnen gespeichert sind, zu welchem Zweck "
            "und ob eine automatisierte Entscheidungsfindung stattfindet."),
        ],
        "correction": [
            ("ich fordere Sie hiermit auf, die mich betreffenden personenbezogenen Daten gemäß "
            "Art. 17 DSGVO unverzüglich zu löschen. Sollten Sie die Daten an Dritte weitergegeben "
            "haben, informieren Sie diese bitte über die Löschung (Art. 19 DSGVO)."),
            ("gemäß Art. 16 DSGVO verlange ich die Berichtigung unrichtiger Daten zu meiner "
            "Person. Bitte ändern Sie meine Anschrift wie folgt: {address}."),
        ],
        "opt_out": [
            ("hiermit widerspreche ich gemäß Art. 21 Abs. 2 DSGVO der Verarbeitung meiner "
            "personenbezogenen Daten zum Zwecke der Direktwerbung. Bitte bestätigen Sie mir, dass "
            "Sie meine Daten nicht mehr für Werbung verwenden."),
            ("ich widerrufe hiermit meine Einwilligung in den Erhalt von Werbung per E-Mail mit "
            "Wirkung für die Zukunft (Art. 7 Abs. 3 DSGVO)."),
        ],
    },
    "deadline": ["Bitte antworten Sie innerhalb eines Monats.",
                 "Ich erwarte Ihre Antwort innerhalb der gesetzlichen Frist von einem Monat."],
    "third_party": {
        "opt_out": [("Bitte tragen Sie meine Mutter aus dem Newsletter aus, ihre Adresse ist "
                    "{email}."), "Im Auftrag meines Mandanten widerspreche ich der Werbung."],
        "correction": ["Ich schreibe im Namen meines Vaters: bitte löschen Sie seine Daten."],
        "access_request": ["Im Namen meiner Mandantin beantrage ich Auskunft über ihre Daten."],
    },
    "subjects": {"opt_out": ["Abmeldung", "Newsletter abbestellen", "Widerspruch Werbung"],
                 "correction": ["Adressänderung", "Löschung meiner Daten", "Berichtigung"],
                 "access_request": ["Auskunftsersuchen", "Auskunft nach Art. 15 DSGVO"],
                 "general_query": ["Frage", "Anfrage", "Problem mit der App"]},
}

LANGS["fr"] = {
    "greetings": ["Madame, Monsieur,", "Bonjour,", "Bonjour à tous,", "Salut,",
                  "À l'attention du délégué à la protection des données,"],
    "closings": ["Cordialement,", "Bien à vous,", "Merci d'avance.",
                 "Veuillez agréer mes salutations distinguées.", "Merci !"],
    "opt_out": [
        "Merci de me désinscrire de votre newsletter.",
        "Je ne veux plus recevoir vos e-mails publicitaires.",
        "Veuillez retirer mon adresse de votre liste de diffusion.",
        "Arrêtez de m'envoyer des mails s'il vous plaît.",
        "Je m'oppose à l'utilisation de mes données à des fins de prospection.",
        "Je retire mon consentement à recevoir des communications marketing.",
        "Comment me désabonner de vos lettres d'information ?",
        "Désabonnement svp",
        "Je ne souhaite plus être contacté pour des offres commerciales.",
        "Le lien de désinscription ne marche pas, retirez-moi de la liste.",
        "Plus de newsletter merci.",
        "Je souhaite me désabonner de toutes vos communications.",
        "Stop aux mails, je n'ai jamais demandé à les recevoir !",
    ],
    "correction": [
        "Merci de mettre à jour mon adresse postale.",
        "Mon nom de famille a changé, pouvez-vous le corriger ?",
        "Le numéro de téléphone que vous avez est erroné.",
        "Je demande la suppression de toutes mes données personnelles.",
        "Je veux supprimer mon compte.",
        "Comment modifier mes informations personnelles ?",
        "Veuillez rectifier ma date de naissance.",
        "Effacez toutes les informations que vous avez sur moi.",
        "Mon adresse e-mail a changé.",
        "Supprimez mon profil s'il vous plaît.",
        "Mon nom est mal orthographié dans vos fichiers.",
        "J'ai déménagé, merci de modifier mes coordonnées.",
    ],
    "access_request": [
        "Merci de m'envoyer une copie de toutes les données que vous détenez sur moi.",
        "Je voudrais savoir quelles informations vous avez me concernant.",
        "Je demande l'accès à mes données personnelles.",
        "Quelles données personnelles conservez-vous à mon sujet ?",
        "Pouvez-vous me transmettre mes données ?",
        "D'où tenez-vous mon adresse ? Je souhaite obtenir une copie de mes données.",
        "Je souhaite exercer mon droit d'accès.",
        "Je voudrais consulter mon dossier.",
    ],
    "general_query": [
        "Utilisez-vous des cookies sur votre site ?",
        "Avec qui partagez-vous mes données ?",
        "Ma carte n'est toujours pas arrivée.",
        "J'ai oublié mon mot de passe.",
        "Quand a lieu la prochaine formation ?",
        "L'application plante à chaque ouverture.",
        "Combien de temps conservez-vous les candidatures ?",
        "Je voudrais m'inscrire à la newsletter.",
        "Pourquoi ai-je été débité deux fois ?",
        "Mes données sont-elles sécurisées ?",
        "Puis-je annuler ma réservation ?",
    ],
    "formal": {
        "access_request": [
            ("je vous prie de bien vouloir m'indiquer, conformément à l'article 15 du RGPD, si des "
            "données à caractère personnel me concernant sont traitées. Dans l'affirmative, je "
            "souhaite obtenir une copie de ces données ainsi que les finalités du traitement, les "
            "destinataires, la durée de conservation et la source des données."),
            ("en application du droit d'accès prévu par le Règlement général sur la protection des "
            "données, je vous demande la communication de l'ensemble des informations me "
            "concernant figurant dans vos fichiers."),
        ],
        "correction": [
            ("en vertu de l'article 17 du RGPD, je vous demande d'effacer sans délai l'ensemble "
            "des données personnelles me concernant et de m'en confirmer la suppression."),
            ("conformément à l'article 16 du RGPD, je vous demande de rectifier les données "
            "inexactes me concernant. Ma nouvelle adresse est : {address}."),
        ],
        "opt_out": [
            ("conformément à l'article 21 du RGPD, je m'oppose au traitement de mes données à des "
            "fins de prospection commerciale. Merci de supprimer mes coordonnées de vos fichiers "
            "de prospection."),
            ("je retire par la présente mon consentement à recevoir vos lettres d'information et "
            "toute sollicitation commerciale."),
        ],
    },
    "deadline": ["Je vous remercie de me répondre dans un délai d'un mois."],
    "third_party": {
        "opt_out": ["Merci de désinscrire ma mère, son adresse est {email}.",
                    "Au nom de mon client, je m'oppose à toute prospection."],
        "correction": ["J'écris pour le compte de mon mari : supprimez ses données."],
        "access_request": ["Je représente mon client et demande l'accès à ses données."],
    },
    "subjects": {"opt_out": ["Désinscription", "Stop newsletter"],
                 "correction": ["Changement d'adresse", "Suppression de mes données"],
                 "access_request": ["Demande d'accès", "Droit d'accès RGPD"],
                 "general_query": ["Question", "Problème de connexion"]},
}

LANGS["es"] = {
    "greetings": ["Estimados señores:", "Hola:", "Buenos días,", "A quien corresponda:",
                  "Hola equipo,"],
    "closings": ["Saludos cordiales,", "Un saludo,", "Gracias.", "Atentamente,",
                 "Muchas gracias de antemano."],
    "opt_out": [
        "Por favor, dadme de baja de vuestro boletín.",
        "No quiero recibir más correos publicitarios.",
        "Eliminen mi dirección de su lista de correo.",
        "Dejen de enviarme correos, por favor.",
        "Me opongo al uso de mis datos con fines de mercadotecnia directa.",
        "Retiro mi consentimiento para recibir publicidad.",
        "¿Cómo me doy de baja de la newsletter?",
        "Quiero darme de baja.",
        "No deseo recibir más comunicaciones comerciales.",
        "El enlace para darse de baja no funciona, quítenme de la lista.",
        "Basta de correos, nunca me suscribí.",
        "Cancelar la suscripción al boletín, por favor.",
    ],
    "correction": [
        "Por favor, actualicen mi dirección.",
        "Mi apellido ha cambiado, ¿pueden corregirlo?",
        "El número de teléfono que tienen es incorrecto.",
        "Solicito la supresión de todos mis datos personales.",
        "Quiero eliminar mi cuenta.",
        "¿Cómo puedo modificar mis datos personales?",
        "Rectifiquen mi fecha de nacimiento, por favor.",
        "Borren toda la información que tienen sobre mí.",
        "He cambiado de correo electrónico.",
        "Mi nombre está mal escrito en sus registros.",
        "Me he mudado, cambien mis datos de contacto.",
    ],
    "access_request": [
        "Envíenme una copia de todos los datos que tienen sobre mí.",
        "Quiero saber qué información guardan sobre mí.",
        "Solicito el acceso a mis datos personales.",
        "¿Qué datos personales míos están tratando?",
        "¿De dónde han sacado mi correo? Quiero una copia de mis datos.",
        "Deseo ejercer mi derecho de acceso.",
        "¿Me pueden mandar mis datos?",
    ],
    "general_query": [
        "¿Usan cookies en su web?",
        "¿Con quién comparten mis datos?",
        "Mi tarjeta todavía no ha llegado.",
        "He olvidado mi contraseña.",
        "¿Cuándo es el próximo curso?",
        "La aplicación se cierra sola.",
        "¿Cuánto tiempo guardan los currículums?",
        "Quiero suscribirme al boletín.",
        "¿Por qué me han cobrado dos veces?",
        "¿Están seguros mis datos?",
    ],
    "formal": {
        "access_request": [
            ("por medio de la presente ejerzo mi derecho de acceso conforme al artículo 15 del "
            "RGPD. Les solicito que me confirmen si tratan datos personales que me conciernen y, "
            "en tal caso, que me faciliten una copia de los mismos, los fines del tratamiento, los "
            "destinatarios, el plazo de conservación y el origen de los datos."),
        ],
        "correction": [
            ("de acuerdo con el artículo 17 del RGPD, solicito la supresión sin dilación indebida "
            "de todos los datos personales que me conciernen."),
            ("conforme al artículo 16 del RGPD, solicito la rectificación de mis datos inexactos. "
            "Mi dirección correcta es {address}."),
        ],
        "opt_out": [
            ("en virtud del artículo 21 del RGPD me opongo al tratamiento de mis datos personales "
            "con fines de mercadotecnia directa. Les ruego que dejen de enviarme publicidad."),
        ],
    },
    "deadline": ["Espero su respuesta en el plazo de un mes."],
    "third_party": {
        "opt_out": ["Por favor den de baja a mi madre, su correo es {email}.",
                    "En nombre de mi cliente, me opongo a la publicidad."],
        "correction": ["Escribo en nombre de mi padre para que borren sus datos."],
        "access_request": ["En representación de mi cliente solicito acceso a sus datos."],
    },
    "subjects": {"opt_out": ["Baja", "Darme de baja"],
                 "correction": ["Cambio de dirección", "Supresión de datos"],
                 "access_request": ["Derecho de acceso", "Solicitud de acceso"],
                 "general_query": ["Consulta", "Pregunta"]},
}

LANGS["it"] = {
    "greetings": ["Gentili signori,", "Buongiorno,", "Salve,", "Ciao,",
                  "Alla cortese attenzione del responsabile della protezione dei dati,"],
    "closings": ["Cordiali saluti,", "Distinti saluti,", "Grazie.", "Saluti,",
                 "Grazie in anticipo."],
    "opt_out": [
        "Vi prego di cancellarmi dalla vostra newsletter.",
        "Non voglio più ricevere email promozionali.",
        "Rimuovete il mio indirizzo dalla mailing list.",
        "Smettete di mandarmi email, per favore.",
        "Mi oppongo al trattamento dei miei dati per finalità di marketing diretto.",
        "Revoco il consenso a ricevere comunicazioni commerciali.",
        "Come faccio a disiscrivermi dalla newsletter?",
        "Disiscrivetemi, grazie.",
        "Non desidero più essere contattato per offerte.",
        "Il link per annullare l'iscrizione non funziona, toglietemi dalla lista.",
        "Basta email pubblicitarie!",
    ],
    "correction": [
        "Per favore aggiornate il mio indirizzo.",
        "Il mio cognome è cambiato, potete correggerlo?",
        "Il numero di telefono che avete è sbagliato.",
        "Chiedo la cancellazione di tutti i miei dati personali.",
        "Voglio eliminare il mio account.",
        "Come posso modificare i miei dati personali?",
        "Correggete la mia data di nascita.",
        "Cancellate tutte le informazioni che avete su di me.",
        "Ho cambiato indirizzo email.",
        "Il mio nome è scritto male nei vostri archivi.",
    ],
    "access_request": [
        "Inviatemi una copia di tutti i dati che avete su di me.",
        "Vorrei sapere quali informazioni conservate su di me.",
        "Chiedo l'accesso ai miei dati personali.",
        "Quali dati personali miei state trattando?",
        "Da dove avete preso il mio indirizzo? Voglio una copia dei miei dati.",
        "Intendo esercitare il mio diritto di accesso.",
    ],
    "general_query": [
        "Usate i cookie sul vostro sito?",
        "Con chi condividete i miei dati?",
        "La mia carta non è ancora arrivata.",
        "Ho dimenticato la password.",
        "Quando inizia il prossimo corso?",
        "L'app si blocca sempre.",
        "Per quanto tempo conservate i curriculum?",
        "Vorrei iscrivermi alla newsletter.",
        "Perché mi avete addebitato una commissione?",
    ],
    "formal": {
        "access_request": [
            ("con la presente esercito il diritto di accesso ai sensi dell'articolo 15 del GDPR. "
            "Vi chiedo di confermare se è in corso un trattamento di dati personali che mi "
            "riguardano e, in tal caso, di fornirmi copia dei dati, le finalità, i destinatari, "
            "il periodo di conservazione e l'origine dei dati."),
        ],
        "correction": [
            ("ai sensi dell'articolo 17 del GDPR chiedo la cancellazione senza ingiustificato "
            "ritardo dei dati personali che mi riguardano."),
            ("ai sensi dell'articolo 16 del GDPR chiedo la rettifica dei dati inesatti che mi "
            "riguardano. Il mio indirizzo corretto è {address}."),
        ],
        "opt_out": [
            ("ai sensi dell'articolo 21 del GDPR mi oppongo al trattamento dei miei dati personali "
            "per finalità di marketing diretto e vi chiedo di non inviarmi più comunicazioni "
            "promozionali."),
        ],
    },
    "deadline": ["Attendo un vostro riscontro entro un mese."],
    "third_party": {
        "opt_out": [("Vi prego di cancellare mia madre dalla newsletter, il suo indirizzo è "
                    "{email}."), "Per conto del mio cliente mi oppongo al marketing."],
        "correction": ["Scrivo a nome di mio marito: cancellate i suoi dati."],
        "access_request": ["Per conto del mio assistito chiedo l'accesso ai suoi dati."],
    },
    "subjects": {"opt_out": ["Disiscrizione", "Cancellazione newsletter"],
                 "correction": ["Cambio indirizzo", "Cancellazione dati"],
                 "access_request": ["Richiesta di accesso"],
                 "general_query": ["Domanda", "Informazioni"]},
}

LANGS["nl"] = {
    "greetings": ["Geachte heer/mevrouw,", "Hallo,", "Goedemiddag,", "Beste,", "Hoi,"],
    "closings": ["Met vriendelijke groet,", "Groetjes,", "Bedankt.", "Hoogachtend,",
                 "Alvast bedankt."],
    "opt_out": [
        "Graag wil ik me afmelden voor uw nieuwsbrief.",
        "Ik wil geen reclame-e-mails meer ontvangen.",
        "Haal mijn adres alstublieft van uw mailinglijst.",
        "Stop met het sturen van e-mails.",
        "Ik maak bezwaar tegen het gebruik van mijn gegevens voor direct marketing.",
        "Ik trek mijn toestemming voor marketingberichten in.",
        "Hoe kan ik me uitschrijven?",
        "Afmelden graag.",
        "Ik wil niet meer benaderd worden met aanbiedingen.",
        "De afmeldlink werkt niet, haal me alsjeblieft van de lijst.",
        "Geen nieuwsbrieven meer aub.",
    ],
    "correction": [
        "Wilt u mijn adres bijwerken?",
        "Mijn achternaam is veranderd, kunt u dit corrigeren?",
        "Het telefoonnummer dat u heeft is onjuist.",
        "Ik verzoek om verwijdering van al mijn persoonsgegevens.",
        "Ik wil mijn account verwijderen.",
        "Hoe kan ik mijn gegevens wijzigen?",
        "Corrigeer alstublieft mijn geboortedatum.",
        "Verwijder alle informatie die u over mij heeft.",
        "Mijn e-mailadres is gewijzigd.",
        "Ik ben verhuisd, pas mijn gegevens aan.",
    ],
    "access_request": [
        "Stuur me een kopie van alle gegevens die u over mij heeft.",
        "Ik wil weten welke informatie u over mij bewaart.",
        "Ik verzoek om inzage in mijn persoonsgegevens.",
        "Welke persoonsgegevens van mij verwerkt u?",
        "Waar heeft u mijn adres vandaan? Ik wil een kopie van mijn gegevens.",
        "Ik wil graag mijn recht op inzage uitoefenen.",
    ],
    "general_query": [
        "Gebruikt u cookies op uw website?",
        "Met wie deelt u mijn gegevens?",
        "Mijn pas is nog niet aangekomen.",
        "Ik ben mijn wachtwoord vergeten.",
        "Wanneer is de volgende training?",
        "De app crasht steeds.",
        "Hoe lang bewaart u sollicitaties?",
        "Ik wil me aanmelden voor de nieuwsbrief.",
        "Waarom zijn er kosten afgeschreven?",
    ],
    "formal": {
        "access_request": [
            ("hierbij verzoek ik u op grond van artikel 15 AVG om inzage in de persoonsgegevens "
            "die u over mij verwerkt. Graag ontvang ik een kopie van de gegevens en informatie "
            "over de verwerkingsdoeleinden, de ontvangers, de bewaartermijn en de herkomst."),
        ],
        "correction": [
            ("op grond van artikel 17 AVG verzoek ik u mijn persoonsgegevens zonder onredelijke "
            "vertraging te wissen."),
            ("op grond van artikel 16 AVG verzoek ik u mijn onjuiste gegevens te rectificeren. "
            "Mijn juiste adres is {address}."),
        ],
        "opt_out": [
            ("op grond van artikel 21 AVG maak ik bezwaar tegen de verwerking van mijn "
            "persoonsgegevens voor direct marketing. Stuur mij geen reclame meer."),
        ],
    },
    "deadline": ["Ik verwacht binnen een maand een reactie."],
    "third_party": {
        "opt_out": ["Wilt u mijn moeder afmelden, haar adres is {email}.",
                    "Namens mijn cliënt maak ik bezwaar tegen direct marketing."],
        "correction": ["Ik schrijf namens mijn vader: verwijder zijn gegevens."],
        "access_request": ["Namens mijn cliënt verzoek ik om inzage in haar gegevens."],
    },
    "subjects": {"opt_out": ["Afmelden", "Uitschrijven"],
                 "correction": ["Adreswijziging", "Verwijderverzoek"],
                 "access_request": ["Inzageverzoek"],
                 "general_query": ["Vraag"]},
}

LANGS["pl"] = {
    "greetings": ["Szanowni Państwo,", "Dzień dobry,", "Witam,", "Cześć,"],
    "closings": ["Z poważaniem,", "Pozdrawiam,", "Dziękuję.", "Z wyrazami szacunku,"],
    "opt_out": [
        "Proszę wypisać mnie z newslettera.",
        "Nie chcę więcej otrzymywać wiadomości reklamowych.",
        "Proszę usunąć mój adres z listy mailingowej.",
        "Przestańcie wysyłać mi maile.",
        "Sprzeciwiam się przetwarzaniu moich danych w celach marketingu bezpośredniego.",
        "Wycofuję zgodę na otrzymywanie informacji handlowych.",
        "Jak mogę zrezygnować z newslettera?",
        "Rezygnuję z subskrypcji.",
        "Nie życzę sobie dalszych ofert.",
        "Link do wypisania się nie działa, proszę mnie usunąć z listy.",
    ],
    "correction": [
        "Proszę zaktualizować mój adres.",
        "Zmieniłam nazwisko, proszę je poprawić.",
        "Numer telefonu, który Państwo mają, jest błędny.",
        "Żądam usunięcia wszystkich moich danych osobowych.",
        "Chcę usunąć swoje konto.",
        "Jak mogę zmienić swoje dane osobowe?",
        "Proszę sprostować moją datę urodzenia.",
        "Proszę skasować wszystkie informacje o mnie.",
        "Zmienił się mój adres e-mail.",
    ],
    "access_request": [
        "Proszę o przesłanie kopii wszystkich danych, które Państwo o mnie przechowują.",
        "Chcę wiedzieć, jakie informacje o mnie posiadacie.",
        "Wnoszę o dostęp do moich danych osobowych.",
        "Jakie moje dane osobowe przetwarzacie?",
        "Skąd macie mój adres? Proszę o kopię moich danych.",
        "Chcę skorzystać z prawa dostępu do danych.",
    ],
    "general_query": [
        "Czy używacie plików cookie?",
        "Komu udostępniacie moje dane?",
        "Moja karta jeszcze nie dotarła.",
        "Zapomniałem hasła.",
        "Kiedy jest następne szkolenie?",
        "Aplikacja ciągle się zawiesza.",
        "Jak długo przechowujecie CV?",
        "Chcę zapisać się do newslettera.",
    ],
    "formal": {
        "access_request": [
            ("na podstawie art. 15 RODO wnoszę o potwierdzenie, czy przetwarzają Państwo moje dane "
            "osobowe, a jeżeli tak, o udzielenie informacji o celach przetwarzania, odbiorcach, "
            "okresie przechowywania i źródle danych oraz o przekazanie kopii danych."),
        ],
        "correction": [
            "na podstawie art. 17 RODO żądam niezwłocznego usunięcia moich danych osobowych.",
            ("na podstawie art. 16 RODO żądam sprostowania nieprawidłowych danych. Mój poprawny "
            "adres to {address}."),
        ],
        "opt_out": [
            ("na podstawie art. 21 RODO wnoszę sprzeciw wobec przetwarzania moich danych osobowych "
            "na potrzeby marketingu bezpośredniego."),
        ],
    },
    "deadline": ["Proszę o odpowiedź w terminie miesiąca."],
    "third_party": {
        "opt_out": ["Proszę wypisać moją matkę z newslettera, jej adres to {email}.",
                    "W imieniu mojego klienta wnoszę sprzeciw wobec marketingu."],
        "correction": ["Piszę w imieniu męża: proszę usunąć jego dane."],
        "access_request": ["W imieniu klienta wnoszę o dostęp do jego danych."],
    },
    "subjects": {"opt_out": ["Wypisanie", "Rezygnacja z newslettera"],
                 "correction": ["Zmiana adresu", "Usunięcie danych"],
                 "access_request": ["Wniosek o dostęp do danych"],
                 "general_query": ["Pytanie"]},
}

LANGS["pt"] = {
    "greetings": ["Exmos. Senhores,", "Olá,", "Bom dia,"],
    "closings": ["Com os melhores cumprimentos,", "Obrigado.", "Atenciosamente,"],
    "opt_out": [
        "Por favor, retirem-me da vossa newsletter.",
        "Não quero receber mais emails publicitários.",
        "Oponho-me ao tratamento dos meus dados para marketing direto.",
        "Como cancelo a subscrição da newsletter?",
        "Retiro o meu consentimento para comunicações de marketing.",
    ],
    "correction": [
        "Por favor, atualizem a minha morada.",
        "Solicito o apagamento de todos os meus dados pessoais.",
        "Quero eliminar a minha conta.",
        "Os meus dados estão incorretos, por favor retifiquem-nos.",
        "Mudei de número de telefone.",
    ],
    "access_request": [
        "Enviem-me uma cópia de todos os dados que têm sobre mim.",
        "Solicito o acesso aos meus dados pessoais.",
        "Que informações pessoais guardam sobre mim?",
        "Pretendo exercer o meu direito de acesso.",
    ],
    "general_query": ["Usam cookies no vosso site?", "Esqueci-me da palavra-passe.",
                      "O meu cartão ainda não chegou."],
    "formal": {
        "access_request": [
            ("venho por este meio exercer o direito de acesso previsto no artigo 15.º do RGPD e "
            "solicitar a confirmação de que tratam dados pessoais que me dizem respeito, bem como "
            "uma cópia desses dados."),
        ],
        "correction": [
            "nos termos do artigo 17.º do RGPD, solicito o apagamento dos meus dados pessoais.",
            "nos termos do artigo 16.º do RGPD, solicito a retificação dos meus dados inexatos.",
        ],
        "opt_out": [
            ("nos termos do artigo 21.º do RGPD, oponho-me ao tratamento dos meus dados para "
            "efeitos de comercialização direta."),
        ],
    },
    "deadline": ["Aguardo resposta no prazo de um mês."],
    "third_party": {},
    "subjects": {},
}

LANGS["cs"] = {
    "greetings": ["Vážení,", "Dobrý den,"],
    "closings": ["S pozdravem", "Děkuji."],
    "opt_out": [
        "Prosím odhlaste mě z newsletteru.",
        "Nechci už dostávat reklamní e-maily.",
        "Vznáším námitku proti zpracování mých údajů pro účely přímého marketingu.",
        "Odvolávám souhlas se zasíláním obchodních sdělení.",
    ],
    "correction": [
        "Prosím aktualizujte mou adresu.",
        "Žádám o výmaz všech mých osobních údajů.",
        "Chci zrušit svůj účet.",
        "Moje údaje jsou nesprávné, opravte je prosím.",
    ],
    "access_request": [
        "Pošlete mi kopii všech údajů, které o mně máte.",
        "Žádám o přístup ke svým osobním údajům.",
        "Jaké osobní údaje o mně zpracováváte?",
    ],
    "general_query": ["Používáte cookies?", "Zapomněl jsem heslo."],
    "formal": {
        "access_request": [
            ("podle článku 15 GDPR žádám o potvrzení, zda zpracováváte mé osobní údaje, a pokud "
            "ano, o přístup k nim a jejich kopii."),
        ],
        "correction": [
            "podle článku 17 GDPR žádám o vymazání mých osobních údajů bez zbytečného odkladu.",
            "podle článku 16 GDPR žádám o opravu nepřesných osobních údajů.",
        ],
        "opt_out": [
            ("podle článku 21 GDPR vznáším námitku proti zpracování mých osobních údajů pro účely "
            "přímého marketingu."),
        ],
    },
    "deadline": ["Očekávám odpověď do jednoho měsíce."],
    "third_party": {},
    "subjects": {},
}

LANGS["hr"] = {
    "greetings": ["Poštovani,", "Dobar dan,"],
    "closings": ["Srdačan pozdrav,", "Hvala."],
    "opt_out": [
        "Molim vas da me odjavite s newslettera.",
        "Ne želim više primati promotivne e-poruke.",
        "Prigovaram obradi mojih podataka u svrhu izravnog marketinga.",
        "Povlačim privolu za primanje marketinških poruka.",
    ],
    "correction": [
        "Molim ažurirajte moju adresu.",
        "Zahtijevam brisanje svih mojih osobnih podataka.",
        "Želim izbrisati svoj račun.",
        "Moji podaci nisu točni, molim ispravak.",
    ],
    "access_request": [
        "Pošaljite mi kopiju svih podataka koje imate o meni.",
        "Zahtijevam pristup svojim osobnim podacima.",
        "Koje moje osobne podatke obrađujete?",
    ],
    "general_query": ["Koristite li kolačiće?", "Zaboravio sam lozinku."],
    "formal": {
        "access_request": [
            ("u skladu s člankom 15. Opće uredbe o zaštiti podataka tražim potvrdu obrađujete li "
            "moje osobne podatke te pristup tim podacima i njihovu kopiju."),
        ],
        "correction": [
            "u skladu s člankom 17. GDPR-a zahtijevam brisanje mojih osobnih podataka.",
            "u skladu s člankom 16. GDPR-a zahtijevam ispravak netočnih osobnih podataka.",
        ],
        "opt_out": [
            ("u skladu s člankom 21. GDPR-a ulažem prigovor na obradu mojih osobnih podataka za "
            "potrebe izravnog marketinga."),
        ],
    },
    "deadline": ["Očekujem odgovor u roku od mjesec dana."],
    "third_party": {},
    "subjects": {},
}

LANGS["el"] = {
    "greetings": ["Αξιότιμοι κύριοι,", "Καλημέρα,"],
    "closings": ["Με εκτίμηση,", "Ευχαριστώ."],
    "opt_out": [
        "Παρακαλώ διαγράψτε με από το ενημερωτικό δελτίο.",
        "Δεν θέλω να λαμβάνω άλλα διαφημιστικά μηνύματα.",
        "Αντιτίθεμαι στην επεξεργασία των δεδομένων μου για σκοπούς άμεσης εμπορικής προώθησης.",
        "Ανακαλώ τη συγκατάθεσή μου για διαφημιστικά μηνύματα.",
    ],
    "correction": [
        "Παρακαλώ ενημερώστε τη διεύθυνσή μου.",
        "Ζητώ τη διαγραφή όλων των προσωπικών μου δεδομένων.",
        "Θέλω να διαγράψω τον λογαριασμό μου.",
        "Τα στοιχεία μου είναι λανθασμένα, παρακαλώ διορθώστε τα.",
    ],
    "access_request": [
        "Στείλτε μου αντίγραφο όλων των δεδομένων που έχετε για μένα.",
        "Ζητώ πρόσβαση στα προσωπικά μου δεδομένα.",
        "Ποια προσωπικά μου δεδομένα επεξεργάζεστε;",
    ],
    "general_query": ["Χρησιμοποιείτε cookies;", "Ξέχασα τον κωδικό μου."],
    "formal": {
        "access_request": [
            ("σύμφωνα με το άρθρο 15 του ΓΚΠΔ ζητώ να μου επιβεβαιώσετε αν επεξεργάζεστε δεδομένα "
            "προσωπικού χαρακτήρα που με αφορούν και να μου παράσχετε πρόσβαση και αντίγραφο."),
        ],
        "correction": [
            "σύμφωνα με το άρθρο 17 του ΓΚΠΔ ζητώ τη διαγραφή των προσωπικών μου δεδομένων.",
            "σύμφωνα με το άρθρο 16 του ΓΚΠΔ ζητώ τη διόρθωση των ανακριβών δεδομένων μου.",
        ],
        "opt_out": [
            ("σύμφωνα με το άρθρο 21 του ΓΚΠΔ αντιτίθεμαι στην επεξεργασία των δεδομένων μου για "
            "απευθείας εμπορική προώθηση."),
        ],
    },
    "deadline": ["Αναμένω απάντηση εντός ενός μηνός."],
    "third_party": {},
    "subjects": {},
}

LANGS["ro"] = {
    "greetings": ["Stimată doamnă / Stimate domn,", "Bună ziua,"],
    "closings": ["Cu stimă,", "Mulțumesc."],
    "opt_out": [
        "Vă rog să mă dezabonați de la newsletter.",
        "Nu mai doresc să primesc e-mailuri publicitare.",
        "Mă opun prelucrării datelor mele în scop de marketing direct.",
    ],
    "correction": [
        "Vă rog să actualizați adresa mea.",
        "Solicit ștergerea tuturor datelor mele personale.",
        "Vreau să îmi șterg contul.",
        "Datele mele sunt incorecte, vă rog să le rectificați.",
    ],
    "access_request": [
        "Trimiteți-mi o copie a tuturor datelor pe care le dețineți despre mine.",
        "Solicit accesul la datele mele personale.",
        "Ce date personale despre mine prelucrați?",
    ],
    "general_query": ["Folosiți cookie-uri?", "Mi-am uitat parola."],
    "formal": {
        "access_request": [
            ("în temeiul articolului 15 din GDPR vă solicit să îmi confirmați dacă prelucrați date "
            "cu caracter personal care mă privesc și să îmi furnizați o copie a acestora."),
        ],
        "correction": [
            ("în temeiul articolului 17 din GDPR solicit ștergerea datelor mele cu caracter "
            "personal."),
            "în temeiul articolului 16 din GDPR solicit rectificarea datelor inexacte.",
        ],
        "opt_out": [
            ("în temeiul articolului 21 din GDPR mă opun prelucrării datelor mele în scopuri de "
            "marketing direct."),
        ],
    },
    "deadline": ["Aștept răspunsul dumneavoastră în termen de o lună."],
    "third_party": {},
    "subjects": {},
}

LANGS["sv"] = {
    "greetings": ["Hej,", "Till den det berör,"],
    "closings": ["Med vänliga hälsningar,", "Tack."],
    "opt_out": [
        "Vänligen avregistrera mig från ert nyhetsbrev.",
        "Jag vill inte längre få reklammejl.",
        "Jag invänder mot behandling av mina uppgifter för direktmarknadsföring.",
    ],
    "correction": [
        "Vänligen uppdatera min adress.",
        "Jag begär radering av alla mina personuppgifter.",
        "Jag vill ta bort mitt konto.",
        "Mina uppgifter är felaktiga, vänligen rätta dem.",
    ],
    "access_request": [
        "Skicka mig en kopia av alla uppgifter ni har om mig.",
        "Jag begär tillgång till mina personuppgifter.",
        "Vilka personuppgifter om mig behandlar ni?",
    ],
    "general_query": ["Använder ni cookies?", "Jag har glömt mitt lösenord."],
    "formal": {
        "access_request": [
            ("enligt artikel 15 i dataskyddsförordningen begär jag bekräftelse på om ni behandlar "
            "personuppgifter om mig och i så fall en kopia av uppgifterna (registerutdrag)."),
        ],
        "correction": [
            ("enligt artikel 17 i dataskyddsförordningen begär jag att ni raderar mina "
            "personuppgifter."),
            ("enligt artikel 16 i dataskyddsförordningen begär jag rättelse av felaktiga "
            "personuppgifter."),
        ],
        "opt_out": [
            ("enligt artikel 21 i dataskyddsförordningen invänder jag mot behandling av mina "
            "personuppgifter för direktmarknadsföring."),
        ],
    },
    "deadline": ["Jag förväntar mig svar inom en månad."],
    "third_party": {},
    "subjects": {},
}

# Formal English letters, in the same composable shape as the other languages.
FORMAL_EN = {
    "access_request": [
        ("I am writing to make a subject access request under Article 15 of the UK GDPR. Please "
        "confirm whether you process personal data concerning me and, if so, provide a copy of "
        "that data together with the purposes of processing, the categories of data, the "
        "recipients, the retention period and the source of the data."),
        ("Under the Data Protection Act 2018 I request access to all personal data you hold about "
        "me, including emails, notes, call recordings and any data about me held by your "
        "processors."),
        ("Please treat this letter as a request under Art. 15 GDPR. I would like to know whether "
        "any automated decision-making, including profiling, is applied to my data and to receive "
        "a copy of the personal data undergoing processing."),
    ],
    "correction": [
        ("I am writing to request the erasure of my personal data under Article 17 of the UK GDPR. "
        "Please delete all personal data you hold about me without undue delay and confirm when "
        "this has been done. If you have disclosed my data to others, please inform them."),
        ("Under Article 16 GDPR I request that you rectify the inaccurate personal data you hold "
        "about me. My correct address is {address}."),
        ("I hereby exercise my right to be forgotten. Please erase my personal data from all of "
        "your systems, including backups where possible, and confirm in writing."),
    ],
    "opt_out": [
        ("I am writing to object, under Article 21(2) of the UK GDPR, to the processing of my "
        "personal data for direct marketing purposes. Please stop all marketing to me, by email, "
        "post and telephone, and confirm that you have done so."),
        ("I hereby withdraw any consent I may have given to receive marketing communications from "
        "you, with effect from today, under Article 7(3) GDPR and PECR."),
    ],
}

DEADLINE_EN = [
    "I look forward to your response within one calendar month, as required by law.",
    "Please respond within the statutory deadline of one month.",
]

# Real Art. 15 letters list the information owed, which names the other rights (rectification,
# erasure, objection, complaint). Appended to formal access letters so that naming those rights
# inside an access request does not make it look like one of them.
ACCESS_ITEMS = {
    "en": "Please also tell me about my rights to request rectification or erasure of my data, "
          "to restrict processing or to object to it, and my right to lodge a complaint with the "
          "Information Commissioner's Office.",
    "de": "Bitte informieren Sie mich außerdem über das Bestehen eines Rechts auf Berichtigung "
          "oder Löschung, auf Einschränkung der Verarbeitung oder eines Widerspruchsrechts sowie "
          "über das Beschwerderecht bei einer Aufsichtsbehörde.",
    "fr": "Merci de m'informer également de l'existence du droit de demander la rectification ou "
          "l'effacement de mes données, la limitation du traitement ou de m'y opposer, ainsi que "
          "du droit d'introduire une réclamation auprès de la CNIL.",
    "es": "Les ruego que me informen asimismo de la existencia del derecho a solicitar la "
          "rectificación o supresión de mis datos, la limitación del tratamiento o a oponerme al "
          "mismo, y del derecho a presentar una reclamación ante la autoridad de control.",
    "it": "Vi chiedo inoltre di informarmi dell'esistenza del diritto di chiedere la rettifica o "
          "la cancellazione dei dati, la limitazione del trattamento o di oppormi al trattamento, "
          "nonché del diritto di proporre reclamo al Garante.",
    "nl": "Informeer mij ook over het recht om rectificatie of wissing van mijn gegevens te "
          "vragen, over beperking van de verwerking, het recht van bezwaar en het recht om een "
          "klacht in te dienen bij de Autoriteit Persoonsgegevens.",
    "pl": "Proszę także o informację o prawie do żądania sprostowania lub usunięcia danych, "
          "ograniczenia przetwarzania, prawie do wniesienia sprzeciwu oraz prawie do wniesienia "
          "skargi do organu nadzorczego.",
    "pt": "Solicito ainda informação sobre a existência do direito de solicitar a retificação ou "
          "o apagamento dos dados, a limitação do tratamento ou de me opor ao mesmo, e do direito "
          "de apresentar reclamação à autoridade de controlo.",
    "cs": "Žádám také o informaci o existenci práva požadovat opravu nebo výmaz osobních údajů, "
          "omezení zpracování nebo vznést námitku, a práva podat stížnost u dozorového úřadu.",
    "hr": "Molim i informaciju o postojanju prava na ispravak ili brisanje podataka, ograničenje "
          "obrade ili prigovor te prava na podnošenje pritužbe nadzornom tijelu.",
    "el": "Παρακαλώ ενημερώστε με επίσης για το δικαίωμα διόρθωσης ή διαγραφής, περιορισμού της "
          "επεξεργασίας ή εναντίωσης, καθώς και για το δικαίωμα υποβολής καταγγελίας σε εποπτική "
          "αρχή.",
    "ro": "Vă rog să mă informați și cu privire la dreptul de a solicita rectificarea sau "
          "ștergerea datelor, restricționarea prelucrării sau dreptul de a mă opune, precum și "
          "dreptul de a depune o plângere la autoritatea de supraveghere.",
    "sv": "Informera mig även om rätten att begära rättelse eller radering, begränsning av "
          "behandlingen eller att invända mot den, samt rätten att lämna klagomål till "
          "Integritetsskyddsmyndigheten.",
}

# Erasure and objection letters often add that recipients must be told, or name the identifying
# details; generic enough to appear in any formal request.
IDENTITY = {
    "en": "To identify me in your records, please use my name and this email address.",
    "de": "Zu meiner Identifizierung verwenden Sie bitte meinen Namen und diese E-Mail-Adresse.",
    "fr": "Pour m'identifier, veuillez utiliser mon nom et cette adresse e-mail.",
    "es": "Para identificarme, utilicen mi nombre y esta dirección de correo.",
    "it": "Per identificarmi potete usare il mio nome e questo indirizzo email.",
    "nl": "Om mij te identificeren kunt u mijn naam en dit e-mailadres gebruiken.",
    "pl": "W celu identyfikacji proszę użyć mojego imienia i nazwiska oraz tego adresu e-mail.",
}

# Legal boilerplate that formal letters of every intent share (deadlines, cost, identification,
# escalation). Added to access, erasure, rectification and objection letters alike, so that the
# model learns it says nothing about which right is being exercised.
BOILERPLATE = {
    "en": [
        ("Under Article 12(3) GDPR you must respond without undue delay and in any event within "
        "one month of receipt."),
        ("This request covers any other services or companies for which you act as controller "
        "within the meaning of Article 4(7) GDPR."),
        ("If you do not respond within the statutory period, I reserve the right to take legal "
        "action and to complain to the supervisory authority."),
        "Please note that you may not charge a fee for dealing with this request.",
        "I include the following details so that you can identify me: {name}, {address}, {email}.",
        ("If you transfer my personal data to a third country, tell me about the safeguards under "
        "Article 46."),
    ],
    "de": [
        ("Gemäß Art. 12 Abs. 3 DSGVO haben Sie unverzüglich, spätestens aber innerhalb eines "
        "Monats nach Eingang zu antworten."),
        ("Mein Antrag umfasst auch alle weiteren Dienste und Unternehmen, für die Sie "
        "Verantwortlicher im Sinne von Art. 4 Nr. 7 DSGVO sind."),
        ("Sollten Sie nicht fristgerecht antworten, behalte ich mir rechtliche Schritte und eine "
        "Beschwerde bei der zuständigen Aufsichtsbehörde vor."),
        "Die Bearbeitung muss für mich unentgeltlich erfolgen.",
        "Zu meiner Identifizierung: {name}, {address}, {email}.",
        ("Falls Sie meine Daten in ein Drittland übermitteln, nennen Sie mir bitte die geeigneten "
        "Garantien nach Art. 46 DSGVO."),
    ],
    "fr": [
        ("Conformément à l'article 12, paragraphe 3 du RGPD, vous devez me répondre dans les "
        "meilleurs délais et au plus tard dans un délai d'un mois."),
        ("Ma demande concerne également tout autre service dont vous êtes responsable du "
        "traitement au sens de l'article 4, point 7 du RGPD."),
        ("À défaut de réponse dans le délai légal, je me réserve le droit de saisir la CNIL et "
        "d'engager une action en justice."),
        "Cette demande doit être traitée gratuitement.",
        "Informations permettant de m'identifier : {name}, {address}, {email}.",
        ("Si mes données sont transférées vers un pays tiers, merci de m'indiquer les garanties "
        "appropriées prévues à l'article 46."),
    ],
    "es": [
        ("Según el artículo 12, apartado 3, del RGPD deben responder sin dilación indebida y, en "
        "todo caso, en el plazo de un mes desde la recepción."),
        ("Mi solicitud incluye cualquier otro servicio o empresa del que sean responsables del "
        "tratamiento conforme al artículo 4, apartado 7."),
        ("Si no responden en plazo, me reservo el derecho a emprender acciones legales y a "
        "presentar una reclamación ante la Agencia Española de Protección de Datos."),
        "Esta solicitud debe atenderse de forma gratuita.",
        "Datos para mi identificación: {name}, {address}, {email}.",
        ("Si transfieren mis datos a un tercer país u organización internacional, infórmenme de "
        "las garantías adecuadas del artículo 46."),
    ],
    "it": [
        ("Ai sensi dell'articolo 12, paragrafo 3, del GDPR dovete rispondere senza ingiustificato "
        "ritardo e comunque entro un mese dal ricevimento."),
        ("La richiesta riguarda anche ogni altro servizio di cui siete titolari del trattamento "
        "ai sensi dell'articolo 4, punto 7."),
        ("In mancanza di risposta nei termini mi riservo di agire in giudizio e di proporre "
        "reclamo al Garante per la protezione dei dati personali."),
        "La richiesta deve essere evasa gratuitamente.",
        "Dati per identificarmi: {name}, {address}, {email}.",
        ("Se trasferite i miei dati verso un paese terzo, indicatemi le garanzie adeguate di cui "
        "all'articolo 46."),
    ],
    "nl": [
        ("Op grond van artikel 12, lid 3 AVG moet u zonder onnodige vertraging en in elk geval "
        "binnen een maand na ontvangst reageren."),
        ("Mijn verzoek geldt ook voor andere diensten waarvoor u verwerkingsverantwoordelijke "
        "bent in de zin van artikel 4, punt 7 AVG."),
        ("Als u niet binnen de wettelijke termijn reageert, behoud ik mij het recht voor om een "
        "klacht in te dienen bij de Autoriteit Persoonsgegevens of naar de rechter te stappen."),
        "Aan dit verzoek mogen geen kosten verbonden zijn.",
        "Mijn gegevens ter identificatie: {name}, {address}, {email}.",
        ("Als u mijn gegevens doorgeeft aan een derde land, informeer mij dan over de passende "
        "waarborgen van artikel 46."),
    ],
    "pl": [
        ("Zgodnie z art. 12 ust. 3 RODO powinni Państwo odpowiedzieć bez zbędnej zwłoki, nie "
        "później niż w terminie miesiąca od otrzymania żądania."),
        ("Żądanie obejmuje także inne usługi, dla których są Państwo administratorem w rozumieniu "
        "art. 4 pkt 7 RODO."),
        ("W razie braku odpowiedzi zastrzegam sobie prawo do wniesienia skargi do Prezesa UODO "
        "oraz podjęcia kroków prawnych."),
        "Realizacja żądania powinna być bezpłatna.",
        "Dane do identyfikacji: {name}, {address}, {email}.",
    ],
    "pt": [
        ("Nos termos do artigo 12.º, n.º 3, do RGPD, devem responder sem demora injustificada e, "
        "em qualquer caso, no prazo de um mês."),
        "Caso não respondam no prazo legal, reservo-me o direito de apresentar queixa à CNPD.",
        "Dados para a minha identificação: {name}, {address}, {email}.",
    ],
}

# Numbered lists of what an Art. 15 request asks for.
ACCESS_LIST = {
    "en": ["all personal data concerning me that you store, including pseudonymised data",
           "the purposes of the processing", "the categories of personal data concerned",
           "the recipients to whom the data have been or will be disclosed",
           "the period for which the data will be stored, or the criteria used to determine it",
           "where the data were not collected from me, any information about their source",
           "the existence of automated decision-making, including profiling"],
    "de": ["alle mich betreffenden gespeicherten Daten, auch pseudonymisierte",
           "die Verarbeitungszwecke", "die Kategorien personenbezogener Daten",
           "die Empfänger, denen die Daten offengelegt wurden oder werden",
           "die geplante Speicherdauer oder die Kriterien für ihre Festlegung",
           "die Herkunft der Daten, soweit sie nicht bei mir erhoben wurden",
           "das Bestehen einer automatisierten Entscheidungsfindung einschließlich Profiling"],
    "fr": ["toutes les données me concernant que vous conservez, y compris pseudonymisées",
           "les finalités du traitement", "les catégories de données concernées",
           "les destinataires auxquels les données ont été ou seront communiquées",
           "la durée de conservation envisagée ou les critères utilisés pour la déterminer",
           ("toute information sur la source des données lorsqu'elles n'ont pas été collectées "
           "auprès de moi"), ("l'existence d'une prise de décision automatisée, y compris un "
           "profilage")],
    "es": [("todos los datos personales que me conciernen que almacenan, incluidos los "
           "seudonimizados"), "los fines del tratamiento", "las categorías de datos personales",
           "los destinatarios a los que se comunicaron o comunicarán los datos",
           "el plazo previsto de conservación o los criterios para determinarlo",
           "cualquier información sobre el origen de los datos",
           "la existencia de decisiones automatizadas, incluida la elaboración de perfiles"],
    "it": ["tutti i dati personali che mi riguardano, compresi quelli pseudonimizzati",
           "le finalità del trattamento", "le categorie di dati personali",
           "i destinatari a cui i dati sono stati o saranno comunicati",
           "il periodo di conservazione previsto o i criteri per determinarlo",
           "l'origine dei dati, se non raccolti presso di me",
           "l'esistenza di un processo decisionale automatizzato, compresa la profilazione"],
    "nl": ["alle persoonsgegevens over mij die u opslaat, ook gepseudonimiseerde",
           "de verwerkingsdoeleinden", "de betrokken categorieën persoonsgegevens",
           "de ontvangers aan wie de gegevens zijn of worden verstrekt",
           "de bewaartermijn of de criteria om die te bepalen",
           "de bron van de gegevens als ze niet bij mij zijn verzameld",
           "het bestaan van geautomatiseerde besluitvorming, waaronder profilering"],
    "pl": ["wszystkie przechowywane dane osobowe dotyczące mnie",
           "cele przetwarzania", "kategorie danych osobowych",
           "odbiorców, którym dane zostały lub zostaną ujawnione",
           "planowany okres przechowywania danych",
           "źródło danych, jeżeli nie zostały zebrane ode mnie",
           "informacje o zautomatyzowanym podejmowaniu decyzji, w tym profilowaniu"],
}
