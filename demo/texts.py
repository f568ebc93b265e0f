"""The demo's texts: breakout groups, a first exchange, recommendations, their French and
Arabic translations and the outcome document's written parts, modelled on the April 2024
Dakar Red Talks."""

BREAKOUT_GROUPS = [
    ("Prevention of deaths and disappearances", "fr", [
        "Which routes and points of departure most need search and rescue capacity?",
        "How can reliable information reach migrants before they set out?",
    ]),
    ("Search and identification", "en", [
        "How can forensic data on the dead be shared across borders and still protected?",
        "What would a regional focal point on missing migrants need to work?",
    ]),
    ("Support to families of missing migrants", "fr", [
        "How should families be informed and accompanied, and by whom?",
        "Which legal and psychosocial support do families lack today?",
    ]),
    ("Humanitarian assistance to migrants in distress", "en", [
        "How do we guarantee access to essential services whatever a migrant's status?",
        "What must a firewall between assistance and immigration enforcement include?",
    ]),
]

DEMO_COMMENTS = [
    "Along the Atlantic route the departures from Senegal and The Gambia have no coordinated "
    "rescue at all once boats pass the territorial waters. We need shared alerts between "
    "coastguards, and the National Societies ready to receive people on landing.",
    "In Agadez the Red Cross runs water points in the desert, but nobody is told where they "
    "are before leaving. Information at bus stations and in WhatsApp groups would save lives.",
    "The Restoring Family Links network already handles tracing requests across borders. "
    "Could States agree to a minimum set of data (photos, belongings, DNA samples) collected "
    "on every body found?",
    "Families told us they were asked for money by people promising news. A single, free and "
    "trusted contact point per country is the first thing they need.",
    "Health care at landing sites must not depend on documents. In our clinics we see people "
    "who avoided treatment for weeks out of fear of being reported.",
    "We support a firewall: data collected to give assistance must never be used for "
    "enforcement. Without it the trust we need simply is not there.",
]


DEMO_RECOMMENDATIONS = [
    ("A regional network of focal points on missing migrants",
     "Search and identification",
     "States, with the support of IOM, ICRC and National Red Cross and Red Crescent Societies, "
     "should each designate a focal point on missing migrants and connect them in a regional "
     "network that exchanges tracing requests and forensic data under agreed data protection "
     "standards.", [8]),
    ("Safe landing and first assistance",
     "Humanitarian assistance to migrants in distress",
     "Coastal States should guarantee that every person rescued at sea is landed at a place "
     "where their life and safety are not threatened and receives first aid, water, food and "
     "information, whatever their status.", [7, 8]),
    ("A firewall between assistance and enforcement",
     "Humanitarian assistance to migrants in distress",
     "Personal data collected to provide humanitarian assistance should never be used for "
     "immigration enforcement.", [7]),
    ("Support to the families of missing migrants",
     "Support to families of missing migrants",
     "States should give the families of missing migrants access to information, psychosocial "
     "support and a legal status that recognises their situation [within twelve months] "
     "[without delay].", [8]),
    ("Information before departure",
     "Prevention of deaths and disappearances",
     "States and humanitarian organisations should provide reliable information on the risks "
     "of irregular routes and on the help available along them, in the languages migrants "
     "speak, at points of departure and transit.", [7, 8]),
]

DEMO_RESERVATIONS = [
    "Subject to the national law on personal data, which is being revised.",
    "Our delegation supports the network but cannot commit to new funding this year.",
]


#: The demo recommendations in French: title and text of their current versions.
FRENCH_RECOMMENDATIONS = [
    ("Un réseau régional de points focaux sur les migrants disparus",
     "Les États, avec l'appui de l'OIM, du CICR et des Sociétés nationales de la Croix-Rouge "
     "et du Croissant-Rouge, devraient chacun désigner un point focal sur les migrants "
     "disparus et les relier au sein d'un réseau régional qui échange les demandes de "
     "recherche et les données médico-légales selon des normes de protection des données "
     "convenues."),
    ("Débarquement sûr et première assistance",
     "Les États côtiers devraient garantir que toute personne secourue en mer soit débarquée "
     "dans un lieu où sa vie et sa sécurité ne sont pas menacées et reçoive les premiers "
     "secours, de l'eau, de la nourriture et des informations, quel que soit son statut."),
    ("Un pare-feu entre l'assistance et le contrôle de l'immigration",
     "Les données personnelles recueillies pour fournir une assistance humanitaire ne "
     "devraient jamais être utilisées à des fins de contrôle de l'immigration."),
    ("Soutien aux familles des migrants disparus",
     "Les États devraient donner aux familles des migrants disparus accès à l'information, à "
     "un soutien psychosocial et à un statut juridique qui reconnaisse leur situation [dans "
     "un délai de douze mois] [sans délai]."),
    ("Information avant le départ",
     "Les États et les organisations humanitaires devraient fournir des informations fiables "
     "sur les risques des routes irrégulières et sur l'aide disponible le long de celles-ci, "
     "dans les langues que parlent les migrants, aux points de départ et de transit."),
]

#: The consultation's names in Arabic for the Arabic outcome document, by their English
#: original; its written parts are left to be written, so that the document shows what is
#: missing.
ARABIC_NAMES = {
    "Red Talks Dakar 2024: missing migrants and migrants in distress":
        "حوارات Red Talks في داكار 2024: المهاجرون المفقودون والمهاجرون في محنة",
    "Dakar, Senegal": "داكار، السنغال",
    "IFRC, ICRC, IOM, Senegalese Red Cross Society":
        "الاتحاد الدولي لجمعيات الصليب الأحمر والهلال الأحمر، واللجنة الدولية للصليب الأحمر، "
        "والمنظمة الدولية للهجرة، وجمعية الصليب الأحمر السنغالي",
    "Opening plenary": "الجلسة العامة الافتتاحية",
    "Breakout round: from commitments to action": "جولة مجموعات العمل: من الالتزامات إلى العمل",
    "Group 1": "المجموعة 1",
    "Prevention of deaths and disappearances": "منع الوفيات وحالات الاختفاء",
    "Group 2": "المجموعة 2",
    "Search and identification": "البحث وتحديد الهوية",
    "Group 3": "المجموعة 3",
    "Support to families of missing migrants": "دعم أسر المهاجرين المفقودين",
    "Group 4": "المجموعة 4",
    "Humanitarian assistance to migrants in distress": "المساعدة الإنسانية للمهاجرين في محنة",
    "Plenary: draft recommendations and adoption": "الجلسة العامة: مشاريع التوصيات واعتمادها",
}

#: The consultation's title, summary, description, venue and organisers in French, as
#: participants read them (the French outcome document takes its names from here too).
FRENCH_CONSULTATION = {
    "title": "Red Talks Dakar 2024 : migrants disparus et migrants en détresse",
    "venue": "Dakar, Sénégal",
    "organisers": "FICR, CICR, OIM, Croix-Rouge sénégalaise",
    "summary": (
        "Consultation associant l'ensemble de la société pour l'examen régional 2024 du Pacte "
        "mondial sur les migrations en Afrique : sauver des vies, rechercher les migrants "
        "disparus et porter assistance aux migrants en détresse."),
    "description": (
        "Des États, des organismes des Nations Unies, des Sociétés nationales de la "
        "Croix-Rouge et du Croissant-Rouge, la société civile, des organisations de migrants "
        "et des universitaires de toute l'Afrique se réunissent pour convenir de "
        "recommandations concrètes sur l'objectif 8 du Pacte mondial pour des migrations "
        "sûres, ordonnées et régulières et sur l'assistance humanitaire aux migrants en "
        "détresse.\n\n"
        "Les groupes de travail portent sur la recherche et l'identification des migrants "
        "disparus, le soutien à leurs familles et l'accès aux services essentiels le long des "
        "routes migratoires. Les recommandations adoptées en plénière sont transmises à "
        "l'examen régional."),
}

#: The agenda items in French: title and description, in the agenda's order.
FRENCH_AGENDA = [
    ("Plénière d'ouverture",
     "Accueil, état de l'examen du Pacte mondial sur les migrations pour l'Afrique, et méthode "
     "de la journée."),
    ("Travaux en groupes : des engagements à l'action", ""),
    ("Plénière : projets de recommandations et adoption", ""),
]

#: The breakout groups in French: name, theme and guiding questions, in the groups' order.
FRENCH_GROUPS = [
    ("Groupe 1", "Prévention des décès et des disparitions", [
        "Quels itinéraires et points de départ ont le plus besoin de moyens de recherche et de "
        "sauvetage ?",
        "Comment une information fiable peut-elle atteindre les migrants avant leur départ ?",
    ]),
    ("Groupe 2", "Recherche et identification", [
        "Comment partager par-delà les frontières les données médico-légales sur les défunts "
        "tout en les protégeant ?",
        "De quoi un point focal régional sur les migrants disparus aurait-il besoin pour "
        "fonctionner ?",
    ]),
    ("Groupe 3", "Soutien aux familles des migrants disparus", [
        "Comment les familles doivent-elles être informées et accompagnées, et par qui ?",
        "Quel soutien juridique et psychosocial manque aujourd'hui aux familles ?",
    ]),
    ("Groupe 4", "Assistance humanitaire aux migrants en détresse", [
        "Comment garantir l'accès aux services essentiels quel que soit le statut du migrant ?",
        "Que doit comprendre un pare-feu entre l'assistance et le contrôle de l'immigration ?",
    ]),
]

#: The demo recommendations in Arabic: title and text of their current versions.
ARABIC_RECOMMENDATIONS = [
    ("شبكة إقليمية لجهات التنسيق المعنية بالمهاجرين المفقودين",
     "ينبغي لكل دولة، بدعم من المنظمة الدولية للهجرة واللجنة الدولية للصليب الأحمر والجمعيات "
     "الوطنية للصليب الأحمر والهلال الأحمر، أن تعيّن جهة تنسيق معنية بالمهاجرين المفقودين، "
     "وأن تربط هذه الجهات في شبكة إقليمية تتبادل طلبات البحث والبيانات الطبية الشرعية وفق "
     "معايير متفق عليها لحماية البيانات."),
    ("الإنزال الآمن والمساعدة الأولى",
     "ينبغي للدول الساحلية أن تضمن إنزال كل شخص يُنقَذ في البحر في مكان لا تكون فيه حياته "
     "وسلامته مهددتين، وأن يتلقى الإسعافات الأولية والماء والغذاء والمعلومات، أياً كان وضعه."),
    ("جدار فاصل بين المساعدة وإنفاذ قوانين الهجرة",
     "لا ينبغي أبداً استخدام البيانات الشخصية التي تُجمع لتقديم المساعدة الإنسانية لأغراض "
     "إنفاذ قوانين الهجرة."),
    ("دعم أسر المهاجرين المفقودين",
     "ينبغي للدول أن تتيح لأسر المهاجرين المفقودين الحصول على المعلومات والدعم النفسي "
     "والاجتماعي ووضع قانوني يعترف بحالتها [في غضون اثني عشر شهراً] [دون تأخير]."),
    ("المعلومات قبل المغادرة",
     "ينبغي للدول والمنظمات الإنسانية أن تقدم معلومات موثوقة عن مخاطر الطرق غير النظامية "
     "وعن المساعدة المتاحة على امتدادها، باللغات التي يتحدث بها المهاجرون، في نقاط المغادرة "
     "والعبور."),
]

OUTCOME_TEXTS = {
    "en": {
        "executive_summary": (
            "On 23 and 24 April 2024 in Dakar, States, UN agencies, Red Cross and Red Crescent "
            "National Societies, civil society, migrant organisations and academia from across "
            "Africa met to agree actionable recommendations on Objective 8 of the Global Compact "
            "for Migration and on humanitarian assistance to migrants in distress.\n\n"
            "The plenary adopted a recommendation on a regional network of focal points on "
            "missing migrants, with two reservations. It did not adopt the recommendation on "
            "safe landing, which two delegations opposed under the consensus rule. Three "
            "recommendations remain under discussion: a firewall between assistance and "
            "enforcement, support to the families of missing migrants, and information before "
            "departure.\n\n"
            "The participants ask the 2024 GCM regional review for Africa to:\n\n"
            "- take up the adopted recommendation in its conclusions;\n"
            "- support the work that continues on the recommendations still under discussion."),
        "introduction": (
            "The Red Talks are multi-stakeholder consultations organised by the IFRC, the ICRC "
            "and IOM with National Red Cross and Red Crescent Societies. This outcome document "
            "sets out the recommendations of the Dakar Red Talks for the 2024 regional review "
            "of the Global Compact for Safe, Orderly and Regular Migration in Africa.\n\n"
            "The consultation was held under the Chatham House Rule: the document names no "
            "participant. Reservations are quoted with the stakeholder group of the participant "
            "who expressed them."),
    },
    "fr": {
        "executive_summary": (
            "Les 23 et 24 avril 2024 à Dakar, des États, des agences des Nations Unies, des "
            "Sociétés nationales de la Croix-Rouge et du Croissant-Rouge, la société civile, des "
            "organisations de migrants et des universitaires de toute l'Afrique se sont réunis "
            "pour convenir de recommandations concrètes sur l'objectif 8 du Pacte mondial sur "
            "les migrations et sur l'assistance humanitaire aux migrants en détresse.\n\n"
            "La plénière a adopté une recommandation sur un réseau régional de points focaux "
            "sur les migrants disparus, avec deux réserves. Elle n'a pas adopté la "
            "recommandation sur le débarquement sûr, à laquelle deux délégations se sont "
            "opposées selon la règle du consensus. Trois recommandations restent en "
            "discussion : un pare-feu entre l'assistance et le contrôle de l'immigration, le "
            "soutien aux familles des migrants disparus et l'information avant le départ.\n\n"
            "Les participants demandent à l'examen régional 2024 du Pacte mondial pour "
            "l'Afrique :\n\n"
            "- de reprendre la recommandation adoptée dans ses conclusions ;\n"
            "- de soutenir le travail qui se poursuit sur les recommandations encore en "
            "discussion."),
        "introduction": (
            "Les Red Talks sont des consultations multipartites organisées par la FICR, le CICR "
            "et l'OIM avec les Sociétés nationales de la Croix-Rouge et du Croissant-Rouge. Ce "
            "document final présente les recommandations des Red Talks de Dakar pour l'examen "
            "régional 2024 du Pacte mondial pour des migrations sûres, ordonnées et régulières "
            "en Afrique.\n\n"
            "La consultation s'est tenue selon la règle de Chatham House : le document ne nomme "
            "aucun participant. Les réserves sont citées avec le groupe de parties prenantes du "
            "participant qui les a exprimées."),
    },
}

#: What each breakout group concluded, in English and in French, in the groups' order.
BREAKOUT_SUMMARIES = [
    ("The group identified the Atlantic route from Senegal and The Gambia and the desert "
     "crossings through Agadez as the points where search and rescue capacity and information "
     "are most lacking. It asked for shared alerts between coastguards, and for information on "
     "water points and help along the routes, given at bus stations and in the messaging groups "
     "migrants use.",
     "Le groupe a désigné la route atlantique au départ du Sénégal et de la Gambie et les "
     "traversées du désert par Agadez comme les points où les capacités de recherche et de "
     "sauvetage et l'information font le plus défaut. Il demande des alertes partagées entre "
     "garde-côtes, et une information sur les points d'eau et l'aide disponible le long des "
     "routes, donnée dans les gares routières et dans les groupes de messagerie qu'utilisent "
     "les migrants."),
    ("The group proposed a minimum set of data collected on every body found (photographs, "
     "belongings, DNA samples), exchanged through the Restoring Family Links network under "
     "agreed data protection standards, and a focal point on missing migrants in each State.",
     "Le groupe propose un ensemble minimal de données recueillies pour chaque corps retrouvé "
     "(photographies, effets personnels, échantillons d'ADN), échangées par le réseau du "
     "Rétablissement des liens familiaux selon des normes de protection des données "
     "convenues, et un point focal sur les migrants disparus dans chaque État."),
    ("Families are asked for money by people promising news of their relatives. The group "
     "asked for a single, free and trusted contact point in each country, psychosocial and "
     "legal support, and a legal status for the families of missing migrants; the time frame "
     "for that status remained open.",
     "Des familles se voient réclamer de l'argent par des personnes qui promettent des "
     "nouvelles de leurs proches. Le groupe demande un point de contact unique, gratuit et de "
     "confiance dans chaque pays, un soutien psychosocial et juridique, et un statut juridique "
     "pour les familles des migrants disparus ; le délai pour ce statut est resté ouvert."),
    ("Health care at landing sites must not depend on documents: people avoid treatment for "
     "fear of being reported. The group supported a firewall between the data collected to "
     "give assistance and immigration enforcement, and remained divided on whether it should "
     "also bar the sharing of such data.",
     "Les soins aux points de débarquement ne doivent pas dépendre des documents : des "
     "personnes renoncent à se soigner par crainte d'être signalées. Le groupe soutient un "
     "pare-feu entre les données recueillies pour l'assistance et le contrôle de "
     "l'immigration, et reste partagé sur la question de savoir s'il doit aussi interdire le "
     "partage de ces données."),
]
